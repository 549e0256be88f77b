/**
 * The public forms' secret in the data dir (server/hub.ts `formSecret`): made once and kept, written
 * whole (no temp file left), and made again when the file is not a secret — as a crash or a disk
 * error just after the first start left it (empty), which once kept the hub from starting.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formSecret } from "../../server/hub.ts";
import { tempDir } from "../fixtures/hub.ts";

describe("formSecret", () => {
	const dirs: { remove(): void }[] = [];
	afterEach(() => {
		for (const d of dirs.splice(0)) d.remove();
	});
	const dataDir = () => {
		const d = tempDir();
		dirs.push(d);
		return d.path;
	};

	it("is made once, kept in DATA/form-secret, and read back the same", () => {
		const dir = dataDir();
		const first = formSecret(dir);
		expect(first).toHaveLength(32);
		expect(readFileSync(join(dir, "form-secret"), "utf8")).toBe(`${first.toString("hex")}\n`);
		expect(formSecret(dir).equals(first)).toBe(true);
		expect(readdirSync(dir)).toEqual(["form-secret"]);
	});

	it("keeps a secret put there by hand (hex, 16 bytes or more)", () => {
		const dir = dataDir();
		const own = "AB".repeat(48);
		writeFileSync(join(dir, "form-secret"), `${own}\n`);
		expect(formSecret(dir).toString("hex")).toBe(own.toLowerCase());
	});

	it.each([
		["empty", ""],
		["cut short", "0123abcd"],
		["not hex", `${"z".repeat(64)}\n`],
	])("is made again when the file is %s", (_what, text) => {
		const dir = dataDir();
		writeFileSync(join(dir, "form-secret"), text);
		const secret = formSecret(dir);
		expect(secret).toHaveLength(32);
		expect(readFileSync(join(dir, "form-secret"), "utf8")).toBe(`${secret.toString("hex")}\n`);
		expect(formSecret(dir).equals(secret)).toBe(true);
		expect(readdirSync(dir)).toEqual(["form-secret"]);
	});
});
