import { readFileSync, statSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { hashPassword, newPassword } from "../../broker/passwords.ts";
import { DeviceRegistry, RegistryError, registryPath } from "../../broker/registry.ts";
import { tempDir } from "../fixtures/hub.ts";

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) d.remove();
});
function registry() {
	const d = tempDir();
	dirs.push(d);
	return new DeviceRegistry(registryPath(d.path));
}
const pw = (s: string) => Buffer.from(s);

describe("DeviceRegistry", () => {
	it("stores only a salted hash, in a file only its owner reads", async () => {
		const r = registry();
		const a = await r.add({ kind: "node", centre: "demo", node: "win-01" });
		const b = await r.add({ kind: "node", centre: "demo", node: "win-02" });
		expect(a.username).toBe("demo/win-01");
		expect(a.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
		const text = readFileSync(r.path, "utf8");
		expect(text).not.toContain(a.password);
		const hashes = r.list().map((d) => d.hash);
		// 192 random bits need no slow hash (broker/passwords.ts): one salted SHA-256.
		expect(hashes[0]).toMatch(/^sha256\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
		expect(hashes[0]?.split("$")[1]).not.toBe(hashes[1]?.split("$")[1]);
		expect(statSync(r.path).mode & 0o777).toBe(0o600);
		expect(b.password).not.toBe(a.password);
	});

	it("still accepts a credential stored with a scrypt hash (made before), and only its password", async () => {
		const r = registry();
		const password = newPassword();
		writeFileSync(
			r.path,
			JSON.stringify({
				version: 1,
				devices: [
					{ username: "demo/win-01", kind: "node", centre: "demo", node: "win-01", hash: await hashPassword(password) },
				],
			}),
		);
		expect((await r.check("demo/win-01", pw(password))).status).toBe("ok");
		expect((await r.check("demo/win-01", pw(newPassword()))).status).toBe("bad_password");
	});

	it("adds many credentials in one write, each with its own password, all or none", async () => {
		const r = registry();
		const accounts = Array.from({ length: 500 }, (_, i) => ({
			kind: "node" as const,
			centre: "demo",
			node: `n-${i}`,
		}));
		const made = r.addMany(accounts);
		expect(made).toHaveLength(500);
		expect(new Set(made.map((m) => m.password)).size).toBe(500);
		for (const m of [made[0], made[499]]) expect((await r.check(m?.username, pw(m?.password ?? ""))).status).toBe("ok");
		expect((await r.check("demo/n-1", pw(made[0]?.password ?? ""))).status).toBe("bad_password");
		expect(() =>
			r.addMany([{ kind: "node", centre: "demo", node: "fresh" }, accounts[3] as (typeof accounts)[0]]),
		).toThrow(RegistryError);
		expect(r.get("demo/fresh")).toBeUndefined();
		expect(r.list()).toHaveLength(500);
	});

	it("gives a terminal a ticket key on request, lists the centre's keys, and drops a revoked terminal's", async () => {
		const r = registry();
		const t1 = await r.add({ kind: "node", centre: "demo", node: "terminal-1" }, { ticketKey: true });
		const t2 = await r.add({ kind: "node", centre: "demo", node: "terminal-2" }, { ticketKey: true });
		await r.add({ kind: "node", centre: "demo", node: "win-01" });
		await r.add({ kind: "node", centre: "lutsk", node: "terminal-1" }, { ticketKey: true });
		expect(t1.ticketKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(t2.ticketKey).not.toBe(t1.ticketKey);
		expect(r.ticketKeys("demo")).toEqual([
			{ node: "terminal-1", key: t1.ticketKey },
			{ node: "terminal-2", key: t2.ticketKey },
		]);
		r.revoke("demo/terminal-2");
		expect(r.ticketKeys("demo").map((k) => k.node)).toEqual(["terminal-1"]);
	});

	it("checks passwords, and sees revocations and new devices written by another process", async () => {
		const r = registry();
		const { password } = await r.add({ kind: "node", centre: "demo", node: "win-01" });
		expect((await r.check("demo/win-01", pw(password))).status).toBe("ok");
		expect((await r.check("demo/win-01", pw(password))).status).toBe("ok");
		expect((await r.check("demo/win-01", pw(`${password}x`))).status).toBe("bad_password");
		expect((await r.check("demo/win-01", undefined)).status).toBe("bad_password");
		expect((await r.check("demo/nobody", pw(password))).status).toBe("unknown");
		expect((await r.check(undefined, undefined)).status).toBe("none");

		const other = new DeviceRegistry(r.path);
		const svc = await other.add({ kind: "service", name: "dash" });
		expect(other.revoke("demo/win-01")).toBe(true);
		expect(other.revoke("demo/win-01")).toBe(false);
		expect((await r.check("demo/win-01", pw(password))).status).toBe("revoked");
		expect(await r.check("service:dash", pw(svc.password))).toMatchObject({
			status: "ok",
			principal: { kind: "service", name: "dash" },
		});
	});

	it("refuses a second credential for the same device unless replacing it", async () => {
		const r = registry();
		const first = await r.add({ kind: "node", centre: "demo", node: "win-01" });
		await expect(r.add({ kind: "node", centre: "demo", node: "win-01" })).rejects.toThrow(RegistryError);
		const second = await r.add({ kind: "node", centre: "demo", node: "win-01" }, { replace: true });
		expect((await r.check("demo/win-01", pw(first.password))).status).toBe("bad_password");
		expect((await r.check("demo/win-01", pw(second.password))).status).toBe("ok");
		expect(r.list()).toHaveLength(1);
	});

	it("refuses everyone while the file is unreadable, and recovers when it is fixed", async () => {
		const r = registry();
		const { password } = await r.add({ kind: "node", centre: "demo", node: "win-01" });
		const good = readFileSync(r.path, "utf8");
		writeFileSync(r.path, "{ not json");
		expect((await r.check("demo/win-01", pw(password))).status).toBe("error");
		expect(r.problem).toMatch(/devices\.json/);
		writeFileSync(r.path, good);
		expect((await r.check("demo/win-01", pw(password))).status).toBe("ok");
	});
});
