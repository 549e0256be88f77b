/** The `vikno` command line: one sub-command per process kind. */
import { ExternalBrokerError } from "../broker/external.ts";
import { ConfigError } from "../config/load.ts";
import { StoreUrlError } from "../store/open.ts";
import { SchemaTooNewError } from "../store/sqliteSchema.ts";
import { UsageError, version } from "./options.ts";

const HELP = `vikno — feedback and hall monitoring for public service centres

Usage:
  vikno demo [--data DIR] [--http-port N] [--mqtt-port N] [--host ADDR] [--speed N] [--real-clock] [--config FILE]
      hub on the embedded store plus simulated nodes of config/centres/demo.yaml
  vikno hub --config FILE [--config FILE…] [--data DIR] [--http-port N] [--mqtt-port N] [--host ADDR]
            [--http-host ADDR] [--trust-proxy ADDR…] [--min-free-mb N] [--store URL] [--allow-anonymous]
            [--max-keepalive N] [--allow-keepalive-zero] [--metrics-token TOKEN]
            [--session-idle MIN] [--session-max HOURS]   (all options: vikno hub --help)
      MQTT broker + ingest + store + dashboard in one process; with --broker URL on an external
      MQTT broker (mosquitto, EMQX, VerneMQ) instead of its own
  vikno sim --config FILE… --broker URL [--speed N] [--seed N] [--rate N] [--follow-hours] [--start TIME]
      simulated nodes and visitors, live
  vikno sim --week --config FILE… [--start DAY] [--days N] [--seed N] [--out FILE] [--timeline FILE] [--broker URL]
      a simulated week in seconds, with the true wait of every ticket
  vikno edge --config FILE
      the edge node (Raspberry Pi at a window, terminal or door)
  vikno qr --centre C --public-url URL [--config FILE] [--out DIR]
      the windows' QR codes for rating the service, as SVG cards to print
  vikno device add|list|revoke|export …   (vikno device help)
      MQTT credentials of edge nodes and service accounts, under the data dir
  vikno user add|list|remove|passwd …   (vikno user --help)
      who signs in to the manager dashboard (admin, manager, operator, viewer), under the data dir
  vikno backup --data DIR --out FILE.tar.gz
      a consistent copy of a hub's data dir, also while the hub runs
  vikno restore --from FILE.tar.gz --data DIR
      check a backup and put it in place as a new data dir
  vikno version

Ports: 0 means any free port; the chosen ports are printed. Defaults: HTTP 8080, MQTT 1883.
`;

type Command = (args: string[]) => Promise<unknown>;

const COMMANDS: Record<string, () => Promise<Command>> = {
	demo: async () => (await import("./demo.ts")).demoCommand,
	hub: async () => (await import("./hub.ts")).hubCommand,
	sim: async () => (await import("./sim.ts")).simCommand,
	edge: async () => (await import("../edge/command.ts")).edgeCommand,
	device: async () => (await import("./device.ts")).deviceCommand,
	user: async () => (await import("./user.ts")).userCommand,
	backup: async () => (await import("./backup.ts")).backupCommand,
	restore: async () => (await import("./backup.ts")).restoreCommand,
	qr: async () => (await import("./qr.ts")).qrCommand,
	version: async () => async () => {
		console.log(version());
	},
	help: async () => async () => {
		console.log(HELP);
	},
};

export async function main(argv: string[]): Promise<number> {
	const [name = "help", ...args] = argv;
	const load = COMMANDS[name === "--help" || name === "-h" ? "help" : name];
	if (!load) {
		console.error(`vikno: unknown command "${name}"\n\n${HELP}`);
		return 2;
	}
	try {
		const code = await (await load())(args);
		return typeof code === "number" ? code : 0;
	} catch (e) {
		if (e instanceof ConfigError) {
			console.error(`vikno: bad configuration\n${e.message}`);
			return 2;
		}
		if (e instanceof SchemaTooNewError) {
			console.error(`vikno ${name}: ${e.message}`);
			return 1;
		}
		if (e instanceof ExternalBrokerError) {
			console.error(`vikno ${name}: ${e.message} — check --broker, the service account and the broker's ACL`);
			return 1;
		}
		if (e instanceof StoreUrlError) {
			console.error(`vikno ${name}: ${e.message}`);
			return 2;
		}
		if (e instanceof UsageError) {
			console.error(`vikno ${name}: ${e.message}\n\n${HELP}`);
			return 2;
		}
		const err = e as NodeJS.ErrnoException;
		if (err.code === "EADDRINUSE") {
			console.error(
				`vikno ${name}: ${err.message} — the port is taken; choose another with --http-port / --mqtt-port (0 = any free port)`,
			);
			return 1;
		}
		const fs = err.code ? FILE_ERRORS[err.code] : undefined;
		if (fs && err.path) {
			console.error(`vikno ${name}: ${err.syscall ?? "access"} ${err.path}: ${fs}`);
			return 1;
		}
		throw e;
	}
}

/**
 * File-system refusals, said in one line with the path (not a stack trace): e.g. `vikno restore`
 * run as the hub's user into a directory only root may write.
 */
const FILE_ERRORS: Record<string, string> = {
	EACCES:
		"permission denied — run as a user that may write there (the data dir is the hub's user's; a new one under /var/lib needs root, then chown)",
	EPERM: "operation not permitted here",
	EROFS: "the file system is read-only",
	ENOSPC: "no space left on the device",
};
