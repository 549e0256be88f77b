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
