/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` one of them. Each prints a table
 * for people and, as its very last line, one JSON object with its figures (DESIGN.md's benchmark
 * contract); its section of docs/benchmarks.md is rewritten with them (`--no-write`: not).
 * One line per bench below.
 */
import { main, type Registry } from "./runner.ts";

const BENCHES: Registry = {
	broker: () => import("./broker.ts"),
	connections: () => import("./connections.ts"),
	store: () => import("./store.ts"),
	estimate: () => import("./estimate.ts"),
	calibration: () => import("./calibration.ts"),
	edge: () => import("./edge.ts"),
	board: () => import("./board.ts"),
	dashboard: () => import("./dashboard.ts"),
	"public-api": () => import("./publicApi.ts"),
	reports: () => import("./reports.ts"),
	e2e: () => import("./e2e.ts"),
};

/** Named by DESIGN.md, not built yet. */
const PLANNED = ["widget"];

process.exitCode = await main(BENCHES, PLANNED);
