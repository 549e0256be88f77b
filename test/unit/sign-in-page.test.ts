import { describe, expect, it } from "vitest";
import { safeNext, signInPage } from "../../dashboard/auth/signInPage.ts";

describe("where to go after signing in", () => {
	it.each([
		["/", "/"],
		["/?centre=demo&lang=en", "/?centre=demo&lang=en"],
		["/api/v1/centres/demo/live", "/api/v1/centres/demo/live"],
		["/%D0%B7%D0%B0%D0%BB", "/%D0%B7%D0%B0%D0%BB"],
		[undefined, "/"],
		["", "/"],
		["https://evil.example/", "/"],
		["//evil.example/", "/"],
		["/\\evil.example/", "/"],
		["javascript:alert(1)", "/"],
		["/a b", "/"],
		["/a\nLocation: x", "/"],
		["/зал", "/"],
		["/login", "/"],
		["/login?next=/", "/"],
		["/logins", "/logins"],
		[`/${"x".repeat(2000)}`, "/"],
	])("%j → %s", (next, expected) => {
		expect(safeNext(next)).toBe(expected);
	});
});

describe("the sign-in page", () => {
	it("escapes what it is given and keeps no script", () => {
		const html = signInPage({
			lang: "en",
			csrfToken: 'a"b',
			next: "/?x=<script>",
			user: "<img src=x>",
			notice: { kind: "wrong" },
			styleNonce: "n1",
		});
		expect(html).not.toMatch(/<script|<img/);
		expect(html).toContain('value="a&quot;b"');
		expect(html).toContain('value="&lt;img src=x&gt;"');
		expect(html).toContain('<style nonce="n1">');
		expect(html).toContain('role="alert"');
		expect(html).toContain('<html lang="en">');
	});
});
