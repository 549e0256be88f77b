/**
 * Passwords, stored only as a salted hash and compared in constant time:
 * - people's passwords (dashboard users): scrypt (`scrypt$N$r$p$salt$key`, base64), slow on
 *   purpose, as a person's password may be guessable;
 * - device and service credentials, 192 random bits made here: one salted SHA-256
 *   (`sha256$salt$key`). A guess costs 2^191 hashes on average whatever the hash, so a slow one
 *   adds nothing but its cost at every connect: 150 ms of scrypt per device made a hub restart
 *   with 30 000 devices take over an hour of CPU before all were back (NIST SP 800-63B §5.1.2.2:
 *   secrets of at least 112 bits need an approved one-way function, not a slow key derivation).
 *   Records with a scrypt hash (made before) still verify.
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

/** The hash of a random credential made by `newPassword` (192 bits): salted SHA-256. */
export function hashRandomSecret(password: string): string {
	const salt = randomBytes(16);
	return ["sha256", salt.toString("base64"), sha256(salt, password).toString("base64")].join("$");
}

function sha256(salt: Buffer, password: string): Buffer {
	return createHash("sha256").update(salt).update(password, "utf8").digest();
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	if (stored.startsWith("sha256$")) {
		const [, salt, key] = stored.split("$");
		if (!salt || !key) return false;
		const expected = Buffer.from(key, "base64");
		const actual = sha256(Buffer.from(salt, "base64"), password);
		return actual.length === expected.length && timingSafeEqual(actual, expected);
	}
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
