/**
 * The credentials file `DATA/devices.json`: one record per device or service account, with
 * only a salted hash of its password. The broker reads it at connect time (re-reading when the
 * file changed), so `vikno device add|revoke` takes effect without a restart. Writes go to a
 * temporary file renamed over the old one, under a lock file, mode 0600.
 */

import { randomBytes } from "node:crypto";
import {
	closeSync,
	fsyncSync,
	mkdirSync,
	openSync,
	readFileSync,
	renameSync,
	statSync,
	unlinkSync,
	writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import type { CredentialCheck } from "./acl.ts";
import { deviceUsername, parseUsername, serviceUsername } from "./identity.ts";
import { fingerprint, hashRandomSecret, newPassword, verifyPassword } from "./passwords.ts";

export interface DeviceRecord {
	username: string;
	kind: "node" | "service";
	centre?: string;
	node?: string;
	/** Service accounts: the account name. */
	name?: string;
	hash: string;
	/**
	 * A ticket terminal's key for the tokens on its printed tickets (core/ticketToken.ts): kept in
	 * clear, as an HMAC needs it, in this file of mode 0600; given with `vikno device add --ticket-key`.
	 */
	ticketKey?: string;
	created: string;
	revoked?: string;
}

interface DevicesFile {
	version: 1;
	devices: DeviceRecord[];
}

export type NewAccount =
	| { kind: "node"; centre: string; node: string }
	| { kind: "service"; name: string; centre?: string };

export class RegistryError extends Error {}

export const DEVICES_FILE = "devices.json";

export function registryPath(dataDir: string): string {
	return join(dataDir, DEVICES_FILE);
}

export class DeviceRegistry {
	private records = new Map<string, DeviceRecord>();
	private stamp = "";
	private broken: string | undefined;
	/** username → fingerprint of the last password that verified against the current hash. */
	private readonly verified = new Map<string, string>();

	constructor(readonly path: string) {}

	/** Re-read the file if it changed since the last read. Returns true when the records changed. */
	refresh(): boolean {
		let stamp: string;
		try {
			const st = statSync(this.path);
			stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== "ENOENT") return this.fail(e as Error, "error");
			stamp = "missing";
		}
		if (stamp === this.stamp) return false;
		this.stamp = stamp;
		try {
			const file: DevicesFile =
				stamp === "missing" ? { version: 1, devices: [] } : parse(readFileSync(this.path, "utf8"));
			this.records = new Map(file.devices.map((d) => [d.username, d]));
			this.broken = undefined;
		} catch (e) {
			return this.fail(e as Error, stamp);
		}
		return true;
	}

	/** Why the file cannot be used, or undefined when it can. */
	get problem(): string | undefined {
		return this.broken;
	}

	get(username: string): DeviceRecord | undefined {
		return this.records.get(username);
	}

	list(): DeviceRecord[] {
		this.refresh();
		if (this.broken) throw new RegistryError(this.broken);
		return [...this.records.values()];
	}

	/** Check a user name and password against the current file (the broker's authenticate hook). */
	async check(
		username: string | undefined,
		password: Buffer | undefined,
		opts: { certificate?: boolean } = {},
	): Promise<CredentialCheck> {
		if (username === undefined) return { status: "none" };
		this.refresh();
		if (this.broken) return { status: "error" };
		const principal = parseUsername(username);
		const record = this.records.get(username);
		if (!principal || !record) return { status: "unknown" };
		if (record.revoked) return { status: "revoked" };
		// A client certificate verified against the configured CA is the proof instead of a password.
		if (opts.certificate) return { status: "ok", username, principal, serviceCentre: record.centre };
		const secret = password?.toString("utf8") ?? "";
		const print = fingerprint(secret, record.hash);
		if (this.verified.get(username) !== print) {
			if (!(await verifyPassword(secret, record.hash))) return { status: "bad_password" };
			this.verified.set(username, print);
		}
		return { status: "ok", username, principal, serviceCentre: record.centre };
	}

	/** Create (or with `replace`, renew) a credential. The password is returned once and never stored. */
	async add(account: NewAccount, opts: { replace?: boolean; now?: Date; ticketKey?: boolean } = {}) {
		const [made] = this.addMany([account], opts);
		if (!made) throw new RegistryError("no credential made");
		return made;
	}

	/**
	 * Create (or with `replace`, renew) many credentials in one write of the file (a generated
	 * deployment of thousands of nodes: one write each would rewrite the file thousands of times).
	 * All or none: an existing active credential without `replace` refuses the whole list.
	 */
	addMany(accounts: readonly NewAccount[], opts: { replace?: boolean; now?: Date; ticketKey?: boolean } = {}) {
		const made = accounts.map((account) => {
			const username =
				account.kind === "node" ? deviceUsername(account.centre, account.node) : serviceUsername(account.name);
			if (!parseUsername(username)) throw new RegistryError(`ids must match [a-z0-9][a-z0-9-]{0,31}: "${username}"`);
			const password = newPassword();
			const ticketKey = opts.ticketKey && account.kind === "node" ? randomBytes(32).toString("base64url") : undefined;
			const record: DeviceRecord = {
				username,
				kind: account.kind,
				...(account.kind === "node" ? { centre: account.centre, node: account.node } : { name: account.name }),
				...(account.kind === "service" && account.centre ? { centre: account.centre } : {}),
				hash: hashRandomSecret(password),
				...(ticketKey ? { ticketKey } : {}),
				created: (opts.now ?? new Date()).toISOString(),
			};
			return { record, out: { username, password, ...(ticketKey ? { ticketKey } : {}) } };
		});
		const names = new Set(made.map((m) => m.record.username));
		if (names.size !== made.length) throw new RegistryError("the same credential is listed twice");
		this.update((devices) => {
			for (const d of devices)
				if (names.has(d.username) && !d.revoked && !opts.replace)
					throw new RegistryError(`${d.username} already has a credential; revoke it first or use --replace`);
			return [...devices.filter((d) => !names.has(d.username)), ...made.map((m) => m.record)];
		});
		return made.map((m) => m.out);
	}

	/**
	 * New passwords for every active credential (its other fields, a terminal's ticket key too,
	 * kept): the old passwords stop working. Returned once, never stored; for moving devices to a
	 * broker that cannot read scrypt hashes (`vikno device export --mosquitto --reissue`).
	 */
	async reissue(): Promise<{ username: string; password: string }[]> {
		const active = this.list().filter((d) => !d.revoked);
		const issued = await Promise.all(
			active.map(async (d) => {
				const password = newPassword();
				return { username: d.username, password, hash: hashRandomSecret(password) };
			}),
		);
		const hashes = new Map(issued.map((i) => [i.username, i.hash]));
		let gone: string[] = [];
		this.update((devices) => {
			// Revoked or removed meanwhile (another vikno device revoke): left as it is now.
			gone = issued.map((i) => i.username).filter((u) => !devices.some((d) => d.username === u && !d.revoked));
			return devices.map((d) => {
				const hash = hashes.get(d.username);
				return hash && !d.revoked ? { ...d, hash } : d;
			});
		});
		return issued.filter((i) => !gone.includes(i.username)).map(({ username, password }) => ({ username, password }));
	}

	/** The ticket keys of a centre's terminals whose credential is not revoked, by node. */
	ticketKeys(centre: string): { node: string; key: string }[] {
		this.refresh();
		const out: { node: string; key: string }[] = [];
		for (const d of this.records.values())
			if (d.kind === "node" && d.centre === centre && d.node && d.ticketKey && !d.revoked)
				out.push({ node: d.node, key: d.ticketKey });
		return out;
	}

	/** Mark a credential revoked (kept for the audit trail). Returns false if there was none active. */
	revoke(username: string, now = new Date()): boolean {
		let found = false;
		this.update((devices) =>
			devices.map((d) => {
				if (d.username !== username || d.revoked) return d;
				found = true;
				return { ...d, revoked: now.toISOString() };
			}),
		);
		return found;
	}

	private fail(e: Error, stamp: string): boolean {
		this.stamp = stamp;
		this.broken = `${this.path}: ${e.message}`;
		this.records = new Map();
		return true;
	}

	private update(change: (devices: DeviceRecord[]) => DeviceRecord[]): void {
		mkdirSync(dirname(this.path), { recursive: true });
		withLock(`${this.path}.lock`, () => {
			this.stamp = "";
			this.refresh();
			if (this.broken) throw new RegistryError(this.broken);
			const file: DevicesFile = { version: 1, devices: change([...this.records.values()]) };
			const tmp = `${this.path}.${process.pid}.tmp`;
			const fd = openSync(tmp, "w", 0o600);
			try {
				writeSync(fd, `${JSON.stringify(file, null, "\t")}\n`);
				fsyncSync(fd);
			} finally {
				closeSync(fd);
			}
			renameSync(tmp, this.path);
			this.stamp = "";
			this.refresh();
		});
	}
}

function parse(text: string): DevicesFile {
	const value = JSON.parse(text) as Partial<DevicesFile>;
	if (value.version !== 1 || !Array.isArray(value.devices))
		throw new Error('expected {"version": 1, "devices": [...]}');
	for (const [i, d] of value.devices.entries()) {
		if (typeof d?.username !== "string" || typeof d.hash !== "string" || (d.kind !== "node" && d.kind !== "service"))
			throw new Error(`devices[${i}]: needs username, kind (node|service) and hash`);
	}
	return value as DevicesFile;
}

/** A lock file made with O_EXCL; one older than 30 s is taken to be left by a crashed writer. */
function withLock(path: string, work: () => void): void {
	const deadline = Date.now() + 5_000;
	for (;;) {
		try {
			closeSync(openSync(path, "wx", 0o600));
			break;
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
			try {
				if (Date.now() - statSync(path).mtimeMs > 30_000) unlinkSync(path);
			} catch {}
			if (Date.now() > deadline) throw new RegistryError(`${path} is held by another writer`);
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
		}
	}
	try {
		work();
	} finally {
		unlinkSync(path);
	}
}
