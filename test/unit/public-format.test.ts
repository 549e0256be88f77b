/** The residents' pure formatters (dashboard/web/public/format.ts), the form tokens and the public cache. */
import { describe, expect, it } from "vitest";
import { FormTokens } from "../../dashboard/formToken.ts";
import { matches, PublicCache } from "../../dashboard/publicCache.ts";
import { bandText, bestHour, clockText, openText, reasonText, whenText } from "../../dashboard/web/public/format.ts";

const KYIV = "Europe/Kyiv";
// Wednesday 2026-11-25, 16:52 in Kyiv (UTC+2): the centre closed at 16:00.
const WED_1652 = Date.UTC(2026, 10, 25, 14, 52);
const at = (day: number, h: number, m = 0) => Date.UTC(2026, 10, day, h - 2, m);

describe("bandText", () => {
	it.each([
		[{ minutes: 12, low: 8, high: 17 }, "uk", "5–20 хв"],
		[{ minutes: 14, low: 10, high: 20 }, "uk", "10–20 хв"],
		[{ minutes: 4, low: 2, high: 7 }, "uk", "2–7 хв"],
		[{ minutes: 2, low: 0, high: 4 }, "uk", "до 4 хв"],
		[{ minutes: 0, low: 0, high: 0 }, "uk", "до 1 хв"],
		[{ minutes: 5, low: 5, high: 5 }, "en", "5–6 min"],
		[{ minutes: 50, low: 40, high: 75 }, "uk", "40 хв – 1 год 15 хв"],
		[{ minutes: 90, low: 60, high: 120 }, "en", "1–2 h"],
		[{ minutes: 30, low: 22, high: 38 }, "en", "20–40 min"],
	])("%j in %s → %s", (band, lang, text) => {
		expect(bandText(band, lang as "uk" | "en")).toBe(text);
	});
});

describe("reasonText", () => {
	it("names the known reasons and reads an unknown one as no estimate", () => {
		expect(reasonText("closed")).toBe("зачинено");
		expect(reasonText("no_window_open", "en")).toBe("no window open");
		expect(reasonText("windows_paused")).toBe("немає оцінки");
		expect(reasonText(undefined, "en")).toBe("no estimate");
	});
});

describe("opening in words, by the hub's clock", () => {
	it("says when a closed centre opens: today, tomorrow, a weekday, a date", () => {
		expect(whenText(at(26, 9), WED_1652, KYIV)).toBe("завтра о 9:00");
		expect(whenText(at(25, 9), at(25, 7), KYIV, "en")).toBe("today at 9:00");
		expect(whenText(at(30, 9), at(28, 17), KYIV)).toBe("у понеділок о 9:00");
		expect(whenText(Date.UTC(2027, 0, 2, 7), WED_1652, KYIV, "en")).toBe("on 2 January at 9:00");
		expect(whenText(Date.UTC(2027, 0, 2, 7), WED_1652, KYIV)).toBe("2 січня о 9:00");
	});

	it("the status line: open until, closed with the next opening, never a wait", () => {
		expect(openText({ now: true, nextChange: { at: at(25, 16), open: false } }, at(25, 10), KYIV)).toBe(
			"Відчинено до 16:00",
		);
		expect(openText({ now: false, nextChange: { at: at(26, 9), open: true } }, WED_1652, KYIV)).toBe(
			"Зачинено — відчиниться завтра о 9:00",
		);
		expect(openText({ now: false, nextChange: { at: at(26, 9), open: true } }, WED_1652, KYIV, "en")).toBe(
			"Closed — opens tomorrow at 9:00",
		);
		expect(openText({ now: false, nextChange: null }, WED_1652, KYIV, "en")).toBe("Closed. Not known when it opens.");
		expect(clockText(at(25, 9, 5), KYIV)).toBe("9:05");
	});

	it("the best hour left: the quietest, then the shortest wait", () => {
		expect(
			bestHour([
				{ hour: 10, label: "busy", waitMin: 30 },
				{ hour: 11, label: "quiet", waitMin: 6 },
				{ hour: 12, label: "quiet", waitMin: 4 },
				{ hour: 13, label: null, waitMin: null },
			])?.hour,
		).toBe(12);
		expect(bestHour([{ hour: 13, label: null, waitMin: null }])).toBeUndefined();
	});
});

describe("form tokens", () => {
	let now = 1_000_000;
	const forms = new FormTokens(Buffer.alloc(32, 7), () => now);

	it("are taken once, for their purpose and centre, before they expire", () => {
		const t = forms.issue({ p: "rate", c: "demo", w: "w03" }, 60_000);
		expect(forms.take(t, "comment", "demo")).toMatchObject({ ok: false });
		expect(forms.take(t, "rate", "other")).toMatchObject({ ok: false });
		expect(forms.take(t, "rate", "demo")).toMatchObject({ ok: true, claims: { c: "demo", w: "w03" } });
		expect(forms.take(t, "rate", "demo")).toMatchObject({ ok: false, why: expect.stringMatching(/sent already/) });
		const late = forms.issue({ p: "rate", c: "demo", w: "w03" }, 60_000);
		now += 60_000;
		expect(forms.take(late, "rate", "demo")).toMatchObject({ ok: false, why: expect.stringMatching(/expired/) });
	});

	it("refuse a token changed or signed with another secret", () => {
		const t = forms.issue({ p: "rate", c: "demo", w: "w03" }, 60_000);
		const [body, sig] = t.split(".");
		const claims = JSON.parse(Buffer.from(body ?? "", "base64url").toString());
		const forged = `${Buffer.from(JSON.stringify({ ...claims, w: "w04" })).toString("base64url")}.${sig}`;
		expect(forms.take(forged, "rate", "demo")).toMatchObject({ ok: false });
		const other = new FormTokens(Buffer.alloc(32, 8), () => now);
		expect(other.take(t, "rate", "demo")).toMatchObject({ ok: false });
		expect(forms.take("garbage", "rate", "demo")).toMatchObject({ ok: false });
	});
});

describe("PublicCache", () => {
	it("computes once for many readers at once, then again after its time", async () => {
		let now = 0;
		let computed = 0;
		const cache = new PublicCache<{ at: number; v: number }>(
			async () => {
				computed++;
				await new Promise((r) => setTimeout(r, 5));
				return { at: now, v: 1 };
			},
			{ now: () => now },
		);
		const answers = await Promise.all(Array.from({ length: 1000 }, () => cache.get("demo")));
		expect(computed).toBe(1);
		expect(new Set(answers.map((a) => a?.json)).size).toBe(1);
		now = 999;
		await cache.get("demo");
		expect(computed).toBe(1);
		now = 1000;
		const again = await cache.get("demo");
		expect(computed).toBe(2);
		// The same figures at another time keep their ETag.
		expect(again?.etag).toBe(answers[0]?.etag);
	});

	it("matches If-None-Match weakly, in a list or as *", () => {
		expect(matches('W/"abc"', 'W/"abc"')).toBe(true);
		expect(matches('"abc"', 'W/"abc"')).toBe(true);
		expect(matches('W/"x", W/"abc"', 'W/"abc"')).toBe(true);
		expect(matches("*", 'W/"abc"')).toBe(true);
		expect(matches('W/"abd"', 'W/"abc"')).toBe(false);
		expect(matches(undefined, 'W/"abc"')).toBe(false);
	});
});
