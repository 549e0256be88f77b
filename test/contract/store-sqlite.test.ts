/** The store contract against a real SQLite file, read back with the `sqlite3` CLI. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { SqliteStore } from "../../store/sqlite.ts";
import { tempDir } from "../fixtures/hub.ts";
import { storeContract } from "./store.contract.ts";

const run = promisify(execFile);

storeContract("sqlite", async () => {
	const dir = tempDir("vikno-store-sqlite-");
	const path = join(dir.path, "vikno.db");
	const sqlite3 = async (sql: string) => {
		const { stdout } = await run("sqlite3", ["-json", path, sql]);
		return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>[]) : [];
	};
	return {
		open: async () => new SqliteStore(path),
		native: (measurement, centre, columns) =>
			sqlite3(
				`SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM ${measurement} WHERE centre = '${centre}' ORDER BY ts`,
			),
		nativeKeys: async (measurement) => (await sqlite3(`PRAGMA table_info(${measurement})`)).map((r) => String(r.name)),
		dispose: async () => dir.remove(),
	};
});
