import { describe, expect, it } from "vitest";
import {
	canOperate,
	canView,
	isUserName,
	type Need,
	type Principal,
	refusal,
	visibleCentres,
} from "../../core/roles.ts";

const admin: Principal = { name: "root", role: "admin", centres: [] };
const manager: Principal = { name: "olena", role: "manager", centres: ["demo", "lutsk"] };
const viewer: Principal = { name: "wall", role: "viewer", centres: ["demo"] };

describe("refusal: who may do what", () => {
	it.each([
		// need, user, centre named, expected
		["public", undefined, undefined, undefined],
		["public", undefined, "demo", undefined],
		["signed-in", undefined, undefined, "no_session"],
		["read", undefined, "demo", "no_session"],
		["change", undefined, undefined, "no_session"],
		["admin", undefined, undefined, "no_session"],
		["signed-in", viewer, undefined, undefined],
		["read", admin, "anywhere", undefined],
		["read", manager, "demo", undefined],
		["read", manager, "lutsk", undefined],
		["read", manager, "kyiv", "centre"],
		["read", manager, undefined, undefined],
		["read", viewer, "demo", undefined],
		["read", viewer, "lutsk", "centre"],
		["change", admin, "demo", undefined],
		["change", manager, "demo", undefined],
		["change", manager, "kyiv", "centre"],
		["change", viewer, "demo", "role"],
		["change", viewer, undefined, "role"],
		["admin", admin, undefined, undefined],
		["admin", manager, undefined, "role"],
		["admin", viewer, undefined, "role"],
		["something-new", admin, undefined, "role"],
	] as [Need, Principal | undefined, string | undefined, string | undefined][])(
		"%s by %o for %s: %s",
		(need, user, centre, expected) => {
			expect(refusal(user, need, centre)).toBe(expected);
		},
	);

	it("refuses a role it does not know", () => {
		expect(refusal({ name: "x", role: "root" as never, centres: [] }, "read", "demo")).toBe("role");
	});
});

describe("centres", () => {
	it("an admin sees every centre, the others the centres named for them", () => {
		expect(canView(admin, "kyiv")).toBe(true);
		expect(canView(manager, "kyiv")).toBe(false);
		expect(visibleCentres(manager, ["demo", "kyiv", "lutsk"])).toEqual(["demo", "lutsk"]);
		expect(visibleCentres(admin, new Set(["demo", "kyiv"]))).toEqual(["demo", "kyiv"]);
		expect(visibleCentres(viewer, ["kyiv"])).toEqual([]);
	});
});

describe("user names", () => {
	it.each([
		["olena", true],
		["olena.k@kr.gov.ua", true],
		["a", true],
		["wall-screen_1", true],
		["Olena", false],
		["", false],
		[".hidden", false],
		["with space", false],
		["x".repeat(64), true],
		["x".repeat(65), false],
	])("%s: %s", (name, ok) => {
		expect(isUserName(name)).toBe(ok);
	});
});

describe("operate: a window's console", () => {
	const operator: Principal = { name: "ivan", role: "operator", centres: ["demo"], windows: ["demo/w03"] };
	it.each([
		[admin, "demo", "w04", undefined],
		[manager, "demo", "w04", undefined],
		[manager, "kyiv", "w04", "centre"],
		[operator, "demo", "w03", undefined],
		[operator, "demo", "w04", "window"],
		[operator, "lutsk", "w03", "centre"],
		[viewer, "demo", "w03", "role"],
		[undefined, "demo", "w03", "no_session"],
	] as const)("%o at %s/%s: %s", (user, centre, window, expected) => {
		expect(refusal(user, "operate", centre, window)).toBe(expected);
	});

	it("reads the centres of the operator's windows, changes nothing", () => {
		expect(refusal(operator, "read", "demo")).toBeUndefined();
		expect(refusal(operator, "read", "lutsk")).toBe("centre");
		expect(refusal(operator, "change", "demo")).toBe("role");
		expect(canOperate(operator, "demo", "w03")).toBe(true);
		expect(canOperate(operator, "demo", "w04")).toBe(false);
	});
});
