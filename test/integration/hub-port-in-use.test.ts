/**
 * A hub whose MQTT or HTTP port is taken fails to start with EADDRINUSE and leaves nothing open:
 * the same data dir (its SQLite files, its spool, the broker's LevelDB session store and its
 * lock) opens again at once, in the same process, once the port is free.
 */
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTestHub, tempDir } from "../fixtures/hub.ts";
import { freePort } from "../fixtures/influxd.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const f of cleanup.splice(0).reverse()) await f();
});

async function occupy(port: number): Promise<Server> {
	const s = createServer();
	await new Promise<void>((resolve) => s.listen(port, "127.0.0.1", () => resolve()));
	return s;
}
const release = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

describe("a hub whose port is taken", () => {
	for (const which of ["mqttPort", "httpPort"] as const)
		it(`(${which}) refuses to start and releases its data dir`, async () => {
			const dir = tempDir();
			cleanup.push(() => dir.remove());
			const port = await freePort();
			const blocker = await occupy(port);
			const err = (await startTestHub(dir.path, { [which]: port }).catch((e: unknown) => e)) as NodeJS.ErrnoException;
			expect(err.code).toBe("EADDRINUSE");
			await release(blocker);
			const hub = await startTestHub(dir.path, { [which]: port });
			cleanup.push(() => hub.close());
			expect(which === "mqttPort" ? hub.mqttPort : hub.httpPort).toBe(port);
			expect((await fetch(`${hub.httpUrl}/healthz`)).status).toBe(200);
		});
});
