/**
 * `vikno demo` as a user starts it: a child process on free ports; the banner's sign-in works and
 * the live figures move; the hall board answers without a sign-in, and the simulated terminal's
 * printed tickets are in the data dir with a QR token made with its key.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadCentreFile } from "../../config/load.ts";
import type { LiveView } from "../../core/liveView.ts";
import { isOpen } from "../../core/openingHours.ts";
import { verifyTicketToken } from "../../core/ticketToken.ts";
import { localDay } from "../../core/time.ts";
import { type Agent, signIn } from "../fixtures/auth.ts";
import { type Decoded, decodeEscPos, texts } from "../fixtures/escpos.ts";
import { tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const BIN = fileURLToPath(new URL("../../bin/vikno.js", import.meta.url));
const dir = tempDir();
let child: ChildProcess | undefined;

afterAll(() => {
	child?.kill("SIGKILL");
	dir.remove();
});

describe("vikno demo", () => {
	it("comes up, prints its URLs and a sign-in that works, and the live figures change within 30 s", async () => {
		// The promise is "within 30 s" of starting it: one budget, spent by the two waits below.
		const deadline = Date.now() + 30_000;
		const left = () => Math.max(0, deadline - Date.now());
		const demo = loadCentreFile(fileURLToPath(new URL("../../config/centres/demo.yaml", import.meta.url)));
		const closedAtStart = !isOpen(demo, Date.now());
		child = spawn(
			process.execPath,
			[BIN, "demo", "--data", dir.path, "--http-port", "0", "--mqtt-port", "0", "--speed", "120"],
			{
				stdio: ["ignore", "pipe", "pipe"],
			},
		);
		let out = "";
		child.stdout?.on("data", (b: Buffer) => {
			out += b.toString();
		});
		child.stderr?.on("data", (b: Buffer) => {
			out += b.toString();
		});
		await until(
			() => out,
			(o) => o.includes("MQTT:"),
			{ timeoutMs: Math.min(20_000, left()), what: "the demo banner" },
		);
		const dashboard = out.match(/dashboard:\s+(http:\/\/127\.0\.0\.1:\d+)\/\?centre=demo/)?.[1];
		const [, name, password] = out.match(/sign in:\s+user (\S+)\s+password (\S+)/) ?? [];
		expect(out).toMatch(/MQTT:\s+mqtt:\/\/127\.0\.0\.1:\d+/);
		expect(out).toMatch(/public API:\s+http:\/\/127\.0\.0\.1:\d+\/api\/public\/v1\/centres\/demo\/wait/);
		// The residents' page and the widget's demo, served by the same hub to anyone.
		const residents = out.match(/residents:\s+(\S+)/)?.[1];
		expect(residents).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/c\/demo$/);
		expect((await fetch(residents ?? "")).status).toBe(200);
		if (!dashboard || !name || !password) throw new Error(`no dashboard or sign-in in:\n${out}`);
		// Without the banner's sign-in the dashboard's API answers nobody.
		expect((await fetch(`${dashboard}/api/v1/centres/demo/live`)).status).toBe(401);
		const manager: Agent = await signIn(dashboard, { name, password });
		const read = () => manager.json<LiveView>("/api/v1/centres/demo/live");
		const first = await read();
		const fingerprint = (v: LiveView) =>
			JSON.stringify([v.tickets, v.ratings.count, v.zones, v.windows.map((w) => w.ticket)]);
		const moved = await until(read, (v) => v.tickets.issued > 0 && fingerprint(v) !== fingerprint(first), {
			timeoutMs: left(),
			intervalMs: 250,
			what: "live figures to change within 30 s of the start",
		});
		expect(moved.tickets.issued).toBeGreaterThan(0);
		// Whenever it is started, the demo's hall is open: at night its clock is moved to a working
		// day, and the banner says so.
		if (closedAtStart) {
			expect(out).toMatch(/ {2}clock: {6}the centre is closed now, so the demo runs from 10:00 of \d{4}-\d\d-\d\d/);
			expect(isOpen(demo, moved.at)).toBe(true);
		} else expect(out).not.toMatch(/ {2}clock:/);

		// The hall board is public in the demo; the simulated terminal prints its tickets to a file.
		const board = out.match(/hall board:\s+(http:\/\/127\.0\.0\.1:\d+\/board\/demo)/)?.[1];
		expect(board).toBeDefined();
		expect((await fetch(board as string)).status).toBe(200);
		// The banner's console answers the demo's manager.
		const desk = out.match(/console:\s+http:\/\/127\.0\.0\.1:\d+(\/desk\/demo\/w01)/)?.[1];
		expect(desk).toBe("/desk/demo/w01");
		expect((await manager.fetch(desk as string)).status).toBe(200);
		const file = out.match(/tickets:\s+(\S+\.escpos)/)?.[1] as string;
		expect(file).toBe(join(dir.path, "printer", "terminal-1.escpos"));
		const printed = await until(
			() => (existsSync(file) ? decodeEscPos(readFileSync(file)).tickets : []),
			(t) => t.length > 0,
			{ what: "a printed ticket" },
		);
		const qr = new URL(printed[0]?.qr[0] as string);
		const [, , centre, , ticket] = qr.pathname.split("/");
		expect(centre).toBe("demo");
		expect(texts(printed[0] as Decoded)).toContain(ticket);
		const key = (
			JSON.parse(readFileSync(join(dir.path, "devices.json"), "utf8")) as {
				devices: { username: string; ticketKey?: string }[];
			}
		).devices.find((d) => d.username === "demo/terminal-1")?.ticketKey as string;
		const today = localDay(moved.at, "Europe/Kyiv");
		expect(verifyTicketToken(key, "demo", today, ticket as string, qr.searchParams.get("k") ?? "")).toBe(true);

		child.kill("SIGTERM");
		const [code] = await once(child, "exit");
		expect(code).toBe(0);
		child = undefined;
	});
});
