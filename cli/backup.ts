/**
 * `vikno backup --data DIR --out FILE` and `vikno restore --from FILE --data DIR`: a consistent
 * copy of a hub's data dir, taken while the hub runs, as one .tar.gz, and putting it back.
 *
 * Every SQLite file in the data dir (the store `vikno.db`, the spool `spool.db`, and any other:
 * users, sessions) is copied with SQLite's online backup (store/backup.ts): each copy is the
 * database at one moment, whatever the hub writes meanwhile. Every other file (the device
 * credentials `devices.json`, …) is copied as it is; the hub replaces such files whole (write,
 * then rename), so a copy is never half-written. Left out, and said so in the archive's
 * manifest: the -wal/-shm/-journal files (their content is in the database copies) and the MQTT
 * sessions (`mqtt-sessions/`, a LevelDB the broker holds open — a copy of it could be torn;
 * devices log in again and republish their retained status, docs/deploy.md).
 *
 * The archive holds `vikno-backup.json` (what was copied: each file's size, SHA-256 and, for a
 * database, its schema version and rows per table) and the files under `data/`. `restore`
 * checks all of it before it puts the data dir in place, and never writes over one.
 */
import { createHash } from "node:crypto";
import {
	copyFileSync,
	existsSync,
	lstatSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmdirSync,
	rmSync,
	type Stats,
	writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import * as tar from "tar";
import { backupSqlite, checkSqlite, isSqliteFile } from "../store/backup.ts";
import { parse, UsageError, version } from "./options.ts";

export const BACKUP_HELP = `  vikno backup --data DIR --out FILE.tar.gz
      a consistent copy of a hub's data dir, also while the hub runs (docs/deploy.md)
  vikno restore --from FILE.tar.gz --data DIR
      checks the copy and puts it in place as DIR (which must not exist or be empty)`;

const MANIFEST = "vikno-backup.json";
const FORMAT = 1;
/** Left out: the files beside a database (its content is in the database's copy). */
const SKIP_NAMES = /-(wal|shm|journal)$/;
const SKIP_WHY = "part of a database that is copied with SQLite's online backup";
/** Left out: not safe to copy while the hub runs. */
const SKIP: { test: (rel: string, isDir: boolean) => boolean; why: string }[] = [
	{
		test: (rel, isDir) => isDir && rel === "mqtt-sessions",
		why: "MQTT sessions (LevelDB held open by the broker): devices log in again and republish their status",
	},
];

export interface ManifestFile {
	path: string;
	kind: "sqlite" | "file";
	bytes: number;
	sha256: string;
	userVersion?: number;
	tables?: Record<string, number>;
}

export interface Manifest {
	format: number;
	created: string;
	viknoVersion: string;
	dataDir: string;
	files: ManifestFile[];
	skipped: { path: string; why: string }[];
}

function statIfThere(path: string): Stats | undefined {
	try {
		return lstatSync(path);
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
		throw e;
	}
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Copy the data dir into `stage/data`; returns the manifest. */
export async function copyDataDir(dataDir: string, stage: string): Promise<Manifest> {
	const files: ManifestFile[] = [];
	const skipped: Manifest["skipped"] = [];
	const walk = async (dir: string) => {
		for (const name of readdirSync(dir).sort()) {
			const from = join(dir, name);
			const rel = relative(dataDir, from).split(sep).join("/");
			// A file may go between the listing and now (SQLite removes its -wal/-shm files when the
			// last connection closes, the credentials file is replaced by a rename): skip it.
			const st = SKIP_NAMES.test(rel) ? undefined : statIfThere(from);
			if (!st) {
				skipped.push({ path: rel, why: SKIP_NAMES.test(rel) ? SKIP_WHY : "gone while the copy was taken" });
				continue;
			}
			const skip = SKIP.find((s) => s.test(rel, st.isDirectory()));
			if (skip) {
				skipped.push({ path: rel, why: skip.why });
				continue;
			}
			const to = join(stage, "data", rel);
			if (st.isDirectory()) {
				mkdirSync(to, { recursive: true });
				await walk(from);
			} else if (!st.isFile()) {
				skipped.push({ path: rel, why: "not a regular file" });
			} else if (isSqliteFile(from)) {
				mkdirSync(dirname(to), { recursive: true });
				await backupSqlite(from, to);
				const check = checkSqlite(to);
				if (check.integrity !== "ok")
					throw new Error(`the copy of ${rel} fails SQLite's integrity check: ${check.integrity}`);
				files.push({
					path: rel,
					kind: "sqlite",
					bytes: lstatSync(to).size,
					sha256: sha256(to),
					userVersion: check.userVersion,
					tables: check.tables,
				});
			} else {
				mkdirSync(dirname(to), { recursive: true });
				try {
					copyFileSync(from, to);
				} catch (e) {
					if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
					skipped.push({ path: rel, why: "gone while the copy was taken" });
					continue;
				}
				files.push({ path: rel, kind: "file", bytes: lstatSync(to).size, sha256: sha256(to) });
			}
		}
	};
	mkdirSync(join(stage, "data"), { recursive: true });
	await walk(dataDir);
	return {
		format: FORMAT,
		created: new Date().toISOString(),
		viknoVersion: version(),
		dataDir: resolve(dataDir),
		files,
		skipped,
	};
}

export async function backupCommand(args: string[]): Promise<number> {
	const o = parse(args, { data: { type: "string", default: "./data" }, out: { type: "string" } });
	if (!o.out) throw new UsageError(`backup needs --out FILE.tar.gz\n${BACKUP_HELP}`);
	if (!existsSync(o.data) || !lstatSync(o.data).isDirectory())
		throw new UsageError(`--data ${o.data} is not a directory`);
	const out = resolve(o.out);
	if (existsSync(out)) throw new UsageError(`--out ${o.out} exists; give a new file name`);
	const started = Date.now();
	// Staged beside the archive (same file system): the copies, then one archive renamed into place.
	const stage = mkdtempSync(join(dirname(out), ".vikno-backup-"));
	try {
		const manifest = await copyDataDir(o.data, stage);
		writeFileSync(join(stage, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
		const partial = `${out}.partial`;
		await tar.c({ gzip: true, file: partial, cwd: stage, portable: true }, [MANIFEST, "data"]);
		renameSync(partial, out);
		for (const f of manifest.files)
			console.log(
				`  ${f.path.padEnd(28)} ${f.kind === "sqlite" ? `SQLite v${f.userVersion}` : "file"}  ${f.bytes} bytes`,
			);
		for (const s of manifest.skipped) console.log(`  ${s.path.padEnd(28)} left out: ${s.why}`);
		console.log(`vikno backup: ${o.data} → ${out} in ${Date.now() - started} ms`);
		return 0;
	} finally {
		rmSync(stage, { recursive: true, force: true });
	}
}

/** Problems of an extracted backup against its manifest (empty: all good). */
export function verifyExtracted(dir: string, manifest: Manifest): string[] {
	const problems: string[] = [];
	if (manifest.format !== FORMAT) problems.push(`unknown backup format ${manifest.format}`);
	for (const f of manifest.files) {
		if (f.path.split("/").some((p) => p === ".." || p === "") || f.path.startsWith("/")) {
			problems.push(`${f.path}: not a path inside the data dir`);
			continue;
		}
		const path = join(dir, "data", f.path);
		if (!existsSync(path)) {
			problems.push(`${f.path}: missing from the archive`);
			continue;
		}
		if (sha256(path) !== f.sha256) problems.push(`${f.path}: its SHA-256 differs from the manifest's`);
		if (f.kind === "sqlite") {
			const check = checkSqlite(path);
			if (check.integrity !== "ok") problems.push(`${f.path}: SQLite integrity check: ${check.integrity}`);
		}
	}
	return problems;
}

export async function restoreCommand(args: string[]): Promise<number> {
	const o = parse(args, { from: { type: "string" }, data: { type: "string" } });
	if (!o.from || !o.data) throw new UsageError(`restore needs --from FILE and --data DIR\n${BACKUP_HELP}`);
	const target = resolve(o.data);
	if (existsSync(target) && (!lstatSync(target).isDirectory() || readdirSync(target).length > 0))
		throw new UsageError(
			`--data ${o.data} exists and is not empty: restore never writes over a data dir; move it away first (mv ${o.data} ${o.data}.old)`,
		);
	mkdirSync(dirname(target), { recursive: true });
	const work = mkdtempSync(join(dirname(target), `.${basename(target)}.restoring-`));
	try {
		try {
			await tar.x({ file: resolve(o.from), cwd: work, strict: true });
		} catch (e) {
			console.error(`vikno restore: ${o.from} cannot be read (${(e as Error).message}); nothing was restored`);
			return 1;
		}
		const manifestPath = join(work, MANIFEST);
		if (!existsSync(manifestPath)) {
			console.error(`vikno restore: ${o.from} is not a vikno backup (no ${MANIFEST})`);
			return 1;
		}
		const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
		const problems = verifyExtracted(work, manifest);
		if (problems.length > 0) {
			console.error(`vikno restore: ${o.from} is damaged; nothing was restored\n  ${problems.join("\n  ")}`);
			return 1;
		}
		if (existsSync(target)) rmdirSync(target);
		renameSync(join(work, "data"), target);
		console.log(
			`vikno restore: ${manifest.files.length} files of a backup taken ${manifest.created} (vikno ${manifest.viknoVersion}) → ${target}`,
		);
		for (const f of manifest.files.filter((x) => x.kind === "sqlite"))
			console.log(
				`  ${f.path}: schema v${f.userVersion}, ${Object.values(f.tables ?? {}).reduce((a, b) => a + b, 0)} rows`,
			);
		console.log("Start the hub with this --data (as the user it runs as: chown -R vikno:vikno if restored as root).");
		return 0;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}
