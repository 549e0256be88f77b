/**
 * Form tokens of the public rating pages: what stands in for CSRF protection on a form anyone may
 * post without signing in. A page (or the ticket API, for the ticket's holder) embeds a token the
 * hub signed (HMAC-SHA256 with a secret kept in the data dir) that names the centre and what may
 * be rated — a window, or a ticket — expires after a few minutes, and is taken once. So a rating
 * comes from someone who opened that page lately: a script elsewhere cannot post one without
 * fetching a page first (and the pages are not readable across origins), a form cannot be posted
 * twice, and each page fetch is limited per address like the posts. A cookie-based CSRF token
 * would need a session, which residents do not have.
 *
 *   issue(claims, ttlMs) → token;  take(token, purpose) → claims | why not
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type FormPurpose = "rate" | "comment";

export interface FormClaims {
	p: FormPurpose;
	/** Centre. */
	c: string;
	/** Window (a window's QR code, or where a rated visit was served). */
	w?: string;
	/** Ticket and its key (a ticket's own link). */
	t?: string;
	k?: string;
	/** A comment's rating: its event id, service, ticket and score as the hub took it. */
	r?: string;
	s?: number;
	sv?: string;
	/** Expiry, epoch ms of the hub's clock. */
	exp: number;
	/** Nonce: the token is taken once. */
	n: string;
}

export const RATE_TOKEN_TTL_MS = 20 * 60_000;
export const COMMENT_TOKEN_TTL_MS = 30 * 60_000;

export class FormTokens {
	private readonly used = new Map<string, number>();

	constructor(
		private readonly secret: Buffer,
		private readonly now: () => number,
	) {
		if (secret.length < 16) throw new Error("the form token secret must be at least 16 bytes");
	}

	private sign(body: string): string {
		return createHmac("sha256", this.secret).update(body).digest("base64url").slice(0, 32);
	}

	issue(claims: Omit<FormClaims, "exp" | "n">, ttlMs: number): string {
		const full: FormClaims = { ...claims, exp: this.now() + ttlMs, n: randomBytes(9).toString("base64url") };
		const body = Buffer.from(JSON.stringify(full)).toString("base64url");
		return `${body}.${this.sign(body)}`;
	}

	/** Check a token and take it (a second take of the same token fails). */
	take(
		token: string,
		purpose: FormPurpose,
		centre: string,
	): { ok: true; claims: FormClaims } | { ok: false; why: string } {
		const [body = "", sig = "", extra] = token.split(".");
		const want = Buffer.from(this.sign(body));
		const got = Buffer.from(sig);
		if (extra !== undefined || got.length !== want.length || !timingSafeEqual(got, want))
			return { ok: false, why: "the form's token is not one this hub made" };
		let claims: FormClaims;
		try {
			claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as FormClaims;
		} catch {
			return { ok: false, why: "the form's token is not one this hub made" };
		}
		const now = this.now();
		if (claims.p !== purpose || claims.c !== centre) return { ok: false, why: "the form's token is for another form" };
		if (!(claims.exp > now)) return { ok: false, why: "the form has expired: open the page again" };
		this.prune(now);
		if (this.used.has(claims.n)) return { ok: false, why: "the form was sent already: open the page again" };
		this.used.set(claims.n, claims.exp);
		return { ok: true, claims };
	}

	private prune(now: number) {
		if (this.used.size < 1024) return;
		for (const [n, exp] of this.used) if (exp <= now) this.used.delete(n);
	}
}
