/**
 * `vikno edge --config FILE`: run one edge node until SIGTERM/SIGINT. `cmd/reload` (or SIGHUP)
 * re-reads the file; a bad new config is logged and the running node keeps going.
 * Logs go to stderr as JSON lines (journald keeps them); with the sim driver's stdio mode,
 * stdout carries the simulated outputs.
 */
import { parseArgs } from "node:util";
import { pino } from "pino";
import { DRIVERS, type EdgeConfig, ROLES } from "./config.ts";
import { attachKeyboard } from "./drivers/keyboard.ts";
import { SimDriver } from "./drivers/sim.ts";
import { EdgeConfigError, loadEdgeConfig } from "./load-config.ts";
import { type EdgeNode, startEdge } from "./node.ts";

const list = (table: Record<string, string>) =>
	Object.entries(table)
		.map(([name, what]) => `  ${name.padEnd(12)} ${what}`)
		.join("\n");

const USAGE = `usage: vikno edge --config FILE [--keyboard]

--keyboard  try the node on a laptop: the sim driver, one key per input (printed at start).

Runs an edge node as described in FILE (YAML or JSON): its role, its driver, its pins.
See docs/edge.md and config/edge/*.yaml. Environment overrides: VIKNO_EDGE_BROKER_URL,
VIKNO_EDGE_BROKER_USERNAME, VIKNO_EDGE_BROKER_PASSWORD, VIKNO_EDGE_DATA_DIR, VIKNO_EDGE_LOG_LEVEL.

Roles (role:):
${list(ROLES)}

Drivers (driver.type:):
${list(DRIVERS)}`;

export async function edgeCommand(args: string[]): Promise<void> {
	let file: string | undefined;
	let keyboard = false;
	try {
		const { values } = parseArgs({
			args,
			options: {
				config: { type: "string", short: "c" },
				keyboard: { type: "boolean", default: false },
				help: { type: "boolean", short: "h" },
			},
			strict: true,
		});
		if (values.help) {
			process.stdout.write(`${USAGE}\n`);
			return;
		}
		file = values.config;
		keyboard = values.keyboard ?? false;
	} catch (e) {
		process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
		process.exitCode = 2;
		return;
	}
	if (!file) {
		process.stderr.write(`missing --config FILE\n${USAGE}\n`);
		process.exitCode = 2;
		return;
	}
	const configFile = file;

	let config: Readonly<EdgeConfig>;
	try {
		config = await loadEdgeConfig(configFile);
	} catch (e) {
		process.stderr.write(`${(e as Error).message}\n`);
		process.exitCode = e instanceof EdgeConfigError ? 2 : 1;
		return;
	}
	const log = pino({ level: config.log.level, base: { node: config.node } }, pino.destination({ dest: 2, sync: true }));

	let node: EdgeNode;
	let busy: Promise<void> = Promise.resolve();
	const reload = () => {
		busy = busy.then(async () => {
			let next: Readonly<EdgeConfig>;
			try {
				next = await loadEdgeConfig(configFile);
			} catch (e) {
				log.error({ err: (e as Error).message }, "reload: the new config is bad; keeping the running one");
				return;
			}
			await node.close();
			log.level = next.log.level;
			node = await startEdge(next, { log, onReload: reload, ...(sim ? { driver: sim } : {}) });
			log.info("config reloaded");
		});
	};

	// Keyboard mode: the same node on the sim driver, driven by keys on this terminal.
	const sim = keyboard ? new SimDriver() : undefined;
	const detach = sim
		? attachKeyboard(
				sim,
				config.inputs.map((i) => i.name),
				{ input: process.stdin, output: process.stdout },
			)
		: undefined;
	try {
		node = await startEdge(config, { log, onReload: reload, ...(sim ? { driver: sim } : {}) });
	} catch (e) {
		detach?.();
		log.fatal({ err: (e as Error).message }, "edge node failed to start");
		process.exitCode = 1;
		return;
	}

	await new Promise<void>((resolve) => {
		const stop = (signal: string) => {
			log.info({ signal }, "stopping");
			process.off("SIGHUP", reload);
			detach?.();
			busy.then(() => node.close()).then(resolve, resolve);
		};
		process.once("SIGTERM", () => stop("SIGTERM"));
		process.once("SIGINT", () => stop("SIGINT"));
		process.on("SIGHUP", reload);
	});
}
