/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` one of them. Each prints a
 * table for people and, as its very last line, one JSON object with its figures
 * (DESIGN.md's benchmark contract).
 */
const BENCHES: Record<string, () => Promise<{ run: () => Promise<Record<string, unknown>> }>> = {
	broker: () => import("./broker.ts"),
	store: () => import("./store.ts"),
	estimate: () => import("./estimate.ts"),
	calibration: () => import("./calibration.ts"),
	edge: () => import("./edge.ts"),
	board: () => import("./board.ts"),
	dashboard: () => import("./dashboard.ts"),
	"public-api": () => import("./publicApi.ts"),
};

const KNOWN = [
	"broker",
	"e2e",
	"connections",
	"store",
	"estimate",
	"calibration",
	"public-api",
	"widget",
	"edge",
	"board",
	"dashboard",
];

async function main(names: string[]): Promise<number> {
	const wanted = names.length ? names : Object.keys(BENCHES);
	for (const name of wanted) {
		const load = BENCHES[name];
		if (!load) {
			const why = KNOWN.includes(name) ? "is not built yet" : "is unknown";
			console.error(`bench "${name}" ${why}; available: ${Object.keys(BENCHES).join(", ")}`);
			return 2;
		}
		const figures = await (await load()).run();
		console.log(JSON.stringify({ bench: name, ...figures }));
	}
	return 0;
}

process.exitCode = await main(process.argv.slice(2));
