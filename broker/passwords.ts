/**
 * Device passwords: random, shown once, stored only as a salted scrypt hash
 * (`scrypt$N$r$p$salt$key`, base64), compared in constant time.
 */
import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, opts: ScryptOptions, keylen: number): Promise<Buffer> {
	return new Promise((resolve, reject) =>
		scrypt(password, salt, keylen, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) =>
			err ? reject(err) : resolve(key),
		),
	);
}

/** 24 random bytes, base64url: 192 bits, 32 characters that need no quoting in a shell or YAML. */
export function newPassword(): string {
	return randomBytes(24).toString("base64url");
}

export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	const key = await derive(password, salt, PARAMS, KEY_BYTES);
	return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, key] = stored.split("$");
	if (scheme !== "scrypt" || !salt || !key) return false;
	const expected = Buffer.from(key, "base64");
	const actual = await derive(
		password,
		Buffer.from(salt, "base64"),
		{ N: Number(n), r: Number(r), p: Number(p) },
		expected.length,
	);
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fast fingerprint of a password already verified, so a reconnect storm does not rerun scrypt. */
export function fingerprint(password: string, stored: string): string {
	return createHash("sha256").update(stored).update("\0").update(password).digest("base64");
}
