/** The command line as a person meets it: bad input stops it at start with what, where and why. */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import QRCode from "qrcode";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../fixtures/hub.ts";

const BIN = fileURLToPath(new URL("../../bin/vikno.js", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../fixtures/config/", import.meta.url));
const dir = tempDir();
afterAll(() => dir.remove());

async function vikno(...args: string[]): Promise<{ code: number; out: string; err: string }> {
	try {
		const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 20_000 });
		return { code: 0, out: stdout, err: stderr };
	} catch (e) {
		const x = e as { code: number; stdout: string; stderr: string };
		return { code: x.code, out: x.stdout, err: x.stderr };
	}
}

describe("vikno command line", () => {
	it("lists the edge node's roles and drivers in its help", async () => {
		const r = await vikno("edge", "--help");
		expect(r.code).toBe(0);
		for (const role of ["window", "terminal", "door"]) expect(r.out).toMatch(new RegExp(`^  ${role}\\s+\\S`, "m"));
		for (const driver of ["sim", "onoff", "gpiod", "johnny-five"])
			expect(r.out).toMatch(new RegExp(`^  ${driver}\\s+\\S`, "m"));
	});

	it("lists the hub's options in its help, the proxy and health ones among them", async () => {
		const r = await vikno("hub", "--help");
		expect(r.code).toBe(0);
		for (const option of [
			"--config",
			"--data",
			"--store",
			"--http-host",
			"--trust-proxy",
			"--min-free-mb",
			"--heap-growth",
			"--tls-cert",
		])
			expect(r.out).toMatch(new RegExp(`^  ${option}\\b`, "m"));
	});

	it("stops on a --trust-proxy that is not an address or range, a bad --min-free-mb or --heap-growth", async () => {
		const base = ["hub", "--config", `${FIXTURES}mini.yaml`, "--data", dir.path, "--host", "127.0.0.1"];
		const proxy = await vikno(...base, "--trust-proxy", "127.0.0.1,nginx.local");
		expect(proxy.code).toBe(2);
		expect(proxy.err).toMatch(/--trust-proxy: "nginx.local" is not an IP address or a CIDR range/);
		const free = await vikno(...base, "--min-free-mb", "lots");
		expect(free.code).toBe(2);
		expect(free.err).toMatch(/--min-free-mb must be a whole number of MiB, got "lots"/);
		for (const growth of ["0", "150", "ten"]) {
			const heap = await vikno(...base, "--heap-growth", growth);
			expect(heap.code).toBe(2);
			expect(heap.err).toContain(`--heap-growth must be a whole percent from 1 to 100, got "${growth}"`);
		}
	});

	it("stops on a bad centre file with the file, line, path and problem", async () => {
		const r = await vikno(
			"hub",
			"--config",
			`${FIXTURES}unknown-service.yaml`,
			"--data",
			dir.path,
			"--host",
			"127.0.0.1",
		);
		expect(r.code).toBe(2);
		expect(r.err).toMatch(/bad configuration/);
		expect(r.err).toMatch(/unknown-service\.yaml:\d+:\d+ \/windows\/\d+\/services\/\d+: unknown service "pasports"/);
	});

	it("stops on a bad store URL, a bad port and an unknown command, saying which", async () => {
		const store = await vikno(
			"hub",
			"--config",
			`${FIXTURES}mini.yaml`,
			"--data",
			dir.path,
			"--store",
			"influx1://127.0.0.1:8086/",
		);
		expect(store.code).toBe(2);
		expect(store.err).toMatch(/database is missing/);
		const port = await vikno("hub", "--config", `${FIXTURES}mini.yaml`, "--http-port", "99999");
		expect(port.code).toBe(2);
		expect(port.err).toMatch(/--http-port must be a port number/);
		const unknown = await vikno("serve");
		expect(unknown.code).toBe(2);
		expect(unknown.err).toMatch(/unknown command "serve"/);
	});

	it("refuses anonymous clients on a hub that is not on loopback", async () => {
		const r = await vikno(
			"hub",
			"--config",
			`${FIXTURES}mini.yaml`,
			"--data",
			dir.path,
			"--host",
			"0.0.0.0",
			"--allow-anonymous",
			"--http-port",
			"0",
			"--mqtt-port",
			"0",
		);
		expect(r.code).not.toBe(0);
		expect(r.err).toMatch(/loopback/);
	});

	it("keeps dashboard users: a made password shown once, only a hash stored, bad input refused", async () => {
		const data = `${dir.path}/users`;
		const added = await vikno("user", "add", "olena", "--role", "manager", "--centre", "demo", "--data", data);
		expect(added.code).toBe(0);
		const password = added.out.match(/^password:\s+(\S+)$/m)?.[1] ?? "";
		expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
		expect(added.out).toMatch(/shown only now/);

		const list = await vikno("user", "list", "--json", "--data", data);
		expect(JSON.parse(list.out)).toEqual([
			expect.objectContaining({ name: "olena", role: "manager", centres: ["demo"] }),
		]);
		expect(list.out).not.toContain(password);
		expect(list.out).not.toMatch(/scrypt|hash/);
		const { readFileSync } = await import("node:fs");
		expect(readFileSync(`${data}/users.db`).includes(password)).toBe(false);

		const again = await vikno("user", "passwd", "olena", "--json", "--data", data);
		expect(again.code).toBe(0);
		expect(JSON.parse(again.out).password).not.toBe(password);

		for (const [args, message] of [
			[["add", "x", "--role", "boss"], /role "boss": must be one of admin, manager, operator, viewer/],
			[["add", "x", "--role", "viewer"], /a viewer needs at least one centre/],
			[["add", "root", "--role", "admin", "--centre", "demo"], /give no centres/],
			[["add", "Olena K", "--role", "admin"], /lower case letters/],
			[["add", "x"], /--role is required/],
			[["remove"], /needs a NAME/],
			[["rename", "x"], /add, list, remove or passwd/],
		] as const) {
			const r = await vikno("user", ...args, "--data", data);
			expect(r.code, args.join(" ")).toBe(2);
			expect(r.err, args.join(" ")).toMatch(message);
		}
		const taken = await vikno("user", "add", "olena", "--role", "viewer", "--centre", "demo", "--data", data);
		expect(taken.code).toBe(1);
		expect(taken.err).toMatch(/exists already/);

		expect((await vikno("user", "remove", "olena", "--data", data)).code).toBe(0);
		expect((await vikno("user", "remove", "olena", "--data", data)).code).toBe(1);
		const help = await vikno("user", "--help");
		expect(help.code).toBe(0);
		for (const role of ["admin", "manager", "viewer"]) expect(help.out).toMatch(new RegExp(`^  ${role}\\s+\\S`, "m"));
	});

	it("takes a chosen password from stdin, never from the command line", async () => {
		const data = `${dir.path}/users-stdin`;
		const { spawnSync } = await import("node:child_process");
		const run = (input: string) =>
			spawnSync(
				process.execPath,
				[BIN, "user", "add", "wall", "--role", "viewer", "--centre", "demo", "--password-stdin", "--data", data],
				{
					input,
					encoding: "utf8",
				},
			);
		const short = run("short\n");
		expect(short.status).toBe(2);
		expect(short.stderr).toMatch(/at least 12 characters/);
		const ok = run("a long wall screen password\n");
		expect(ok.status).toBe(0);
		expect(ok.stdout).not.toMatch(/password:/);
	});

	it("prints its version", async () => {
		const r = await vikno("version");
		expect(r.code).toBe(0);
		expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
	});
});

describe("a port already in use", () => {
	it("stops the hub with a clear message and exits, not hangs", async () => {
		const { createServer } = await import("node:net");
		const busy = createServer();
		await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
		const port = (busy.address() as { port: number }).port;
		try {
			const r = await vikno("demo", "--data", dir.path, "--http-port", String(port), "--mqtt-port", "0");
			expect(r.code).toBe(1);
			expect(r.err).toMatch(/port is taken/);
		} finally {
			busy.close();
		}
	});
});

describe("vikno qr", () => {
	it("writes a printable SVG card per window with a node, each encoding that window's rating page", async () => {
		const out = join(dir.path, "qr");
		const r = await vikno("qr", "--centre", "demo", "--public-url", "https://cnap.example.city/", "--out", out);
		expect(r.code).toBe(0);
		const files = readdirSync(out).sort();
		expect(files).toHaveLength(12);
		expect(files[2]).toBe("demo-w03.svg");
		const card = readFileSync(join(out, "demo-w03.svg"), "utf8");
		expect(card).toContain("Оцініть обслуговування");
		expect(card).toContain("Вікно 3 · Window 3");
		// The code itself: the same modules as the address encoded on its own.
		const url = "https://cnap.example.city/c/demo/r/w03";
		const alone = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
		const modules = /<path stroke[^>]*d="([^"]+)"/.exec(alone)?.[1];
		expect(modules).toBeTruthy();
		expect(card).toContain(`d="${modules}"`);
		expect(r.out).toContain(`w03\t${url}\t`);
	});

	it("prints the addresses without --out, and asks for the public address", async () => {
		const list = await vikno("qr", "--centre", "demo", "--public-url", "http://10.0.0.5:8080");
		expect(list.code).toBe(0);
		expect(list.out.split("\n")[0]).toBe("w01\thttp://10.0.0.5:8080/c/demo/r/w01");
		const missing = await vikno("qr", "--centre", "demo");
		expect(missing.code).toBe(2);
		expect(missing.err).toMatch(/--public-url is required/);
	});
});
