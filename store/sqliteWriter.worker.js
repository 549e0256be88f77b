/**
 * The worker side of store/sqliteWriter.ts: one better-sqlite3 connection that runs batches of
 * prepared inserts, each batch one transaction (synchronous = FULL: committed means on disk).
 * Plain JavaScript so it starts under plain node, vitest or tsx alike; it knows nothing of events.
 *
 * A batch is `ops` (one byte per statement run: its index, with DEPENDENT set when it runs only if
 * the previous independent op changed a row) and `values` (every op's parameters, flat). The reply
 * says, per independent op, whether it changed a row. After a failed batch, batches posted before
 * the owner heard of it (same or older `epoch`) are refused unrun, so no later batch lands before
 * the one that failed. The reply gives, per independent op, the rows it changed and the
 * rowid it inserted (0 if none).
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const DEPENDENT = 0x80;
const { path, pragmas, statements } = workerData;
const db = new Database(path);
for (const p of pragmas) db.pragma(p);
// One parameter array per statement, refilled for every row (bound at once, so reuse is safe).
const prepared = statements.map((s) => ({ stmt: db.prepare(s.sql), args: new Array(s.arity) }));
let failedEpoch = -1;

const run = db.transaction((ops, values) => {
	const fresh = [];
	const rowids = [];
	let v = 0;
	let last = false;
	for (const op of ops) {
		const { stmt, args } = prepared[op & ~DEPENDENT];
		for (let i = 0; i < args.length; i++) args[i] = values[v++];
		if (op & DEPENDENT) {
			if (last) stmt.run(args);
			continue;
		}
		const info = stmt.run(args);
		last = info.changes > 0;
		fresh.push(info.changes);
		rowids.push(last ? Number(info.lastInsertRowid) : 0);
	}
	return { fresh: Uint32Array.from(fresh), rowids: Float64Array.from(rowids) };
});

parentPort.on("message", (msg) => {
	if (msg.close) {
		db.close();
		parentPort.close();
		return;
	}
	if (msg.epoch <= failedEpoch) {
		parentPort.postMessage({ seq: msg.seq, error: { message: "refused: an earlier write failed", code: "EARLIER" } });
		return;
	}
	try {
		const { fresh, rowids } = run(msg.ops, msg.values);
		parentPort.postMessage({ seq: msg.seq, fresh, rowids }, [fresh.buffer, rowids.buffer]);
	} catch (err) {
		failedEpoch = msg.epoch;
		parentPort.postMessage({ seq: msg.seq, error: { message: err.message, code: err.code } });
	}
});
