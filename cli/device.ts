/**
 * `vikno device add|list|revoke|export`: MQTT credentials of edge nodes and service accounts, in
 * DATA/devices.json (the hub reads it at every connect: no restart needed).
 */

import { deviceUsername, serviceUsername } from "../broker/identity.ts";
import { DeviceRegistry, type NewAccount, RegistryError, registryPath } from "../broker/registry.ts";
import { isId } from "../core/ids.ts";
import { EXPORT_HELP, exportDevices } from "./deviceExport.ts";
import { parse, UsageError } from "./options.ts";

const OPTIONS = {
	data: { type: "string", default: "./data" },
	centre: { type: "string" },
	node: { type: "string" },
	service: { type: "string" },
	json: { type: "boolean", default: false },
	replace: { type: "boolean", default: false },
	"ticket-key": { type: "boolean", default: false },
	mosquitto: { type: "boolean", default: false },
	out: { type: "string" },
	reissue: { type: "boolean", default: false },
	config: { type: "string", multiple: true },
} as const;

export const DEVICE_HELP = `  vikno device add --centre C --node N [--ticket-key] [--json] [--replace] [--data DIR]
      --ticket-key (a ticket terminal): also a key for the tokens on its printed tickets' QR codes
  vikno device add --service NAME [--centre C] [--json] [--replace] [--data DIR]
      create a credential (printed once; only a salted hash is stored)
  vikno device list [--json] [--data DIR]
  vikno device revoke (--centre C --node N | --service NAME) [--data DIR]
${EXPORT_HELP}`;

export async function deviceCommand(args: string[]): Promise<number> {
	const [action, ...rest] = args;
	const o = parse(rest, OPTIONS);
	const registry = new DeviceRegistry(registryPath(o.data));
	try {
		switch (action) {
			case "add": {
				const account = accountOf(o);
				if (o["ticket-key"] && account.kind !== "node") throw new UsageError("--ticket-key is for a terminal node");
				const { username, password, ticketKey } = await registry.add(account, {
					replace: o.replace,
					ticketKey: o["ticket-key"],
				});
				if (o.json) console.log(JSON.stringify({ username, password, ...(ticketKey ? { ticketKey } : {}) }));
				else {
					console.log(`user name: ${username}\npassword:  ${password}`);
					if (ticketKey) console.log(`ticket key: ${ticketKey}  (VIKNO_EDGE_PRINTER_TICKET_KEY on the terminal)`);
					console.log(
						account.kind === "node"
							? `client id: ${username}  (the MQTT client id must equal the user name)\nThe password is shown only now.`
							: `client id: ${username} or ${username}/…\nThe password is shown only now.`,
					);
				}
				return 0;
			}
			case "list": {
				const records = registry
					.list()
					.map(({ hash: _hash, ticketKey, ...shown }) => ({ ...shown, ...(ticketKey ? { ticketKey: true } : {}) }));
				if (o.json) console.log(JSON.stringify(records));
				else if (records.length === 0) console.log(`no credentials in ${registry.path}`);
				else
					for (const r of records)
						console.log(
							`${r.username.padEnd(40)} ${r.kind.padEnd(8)} created ${r.created}${r.revoked ? `  REVOKED ${r.revoked}` : ""}`,
						);
				return 0;
			}
			case "revoke": {
				const a = accountOf(o);
				const username = a.kind === "node" ? deviceUsername(a.centre, a.node) : serviceUsername(a.name);
				if (!registry.revoke(username)) {
					console.error(`vikno device: no active credential for ${username}`);
					return 1;
				}
				console.log(`revoked ${username}; a connected client with it is disconnected within seconds`);
				return 0;
			}
			case "export":
				return await exportDevices(registry, o);
			default:
				throw new UsageError(`device needs add, list, revoke or export\n${DEVICE_HELP}`);
		}
	} catch (e) {
		if (e instanceof RegistryError) {
			console.error(`vikno device: ${e.message}`);
			return 1;
		}
		throw e;
	}
}

function accountOf(o: {
	centre?: string | undefined;
	node?: string | undefined;
	service?: string | undefined;
}): NewAccount {
	const check = (name: string, value: string) => {
		if (!isId(value)) throw new UsageError(`--${name} must match [a-z0-9][a-z0-9-]{0,31}, got "${value}"`);
		return value;
	};
	if (o.service !== undefined) {
		if (o.node !== undefined) throw new UsageError("--service and --node do not go together");
		return {
			kind: "service",
			name: check("service", o.service),
			...(o.centre !== undefined ? { centre: check("centre", o.centre) } : {}),
		};
	}
	if (o.centre === undefined || o.node === undefined)
		throw new UsageError("give --centre C --node N, or --service NAME");
	return { kind: "node", centre: check("centre", o.centre), node: check("node", o.node) };
}
