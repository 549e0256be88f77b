/**
 * `vikno device export --mosquitto`: the device registry as mosquitto's ACL file and, with
 * `--reissue`, a password file with new passwords that the registry takes too (broker/mosquitto.ts).
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mosquittoAcl, mosquittoPasswd, mosquittoUsername } from "../broker/mosquitto.ts";
import type { DeviceRegistry } from "../broker/registry.ts";
import { loadCentreFile } from "../config/load.ts";
import { indexCentre } from "../core/centre.ts";
import { UsageError } from "./options.ts";

export interface ExportOptions {
	mosquitto: boolean;
	out?: string | undefined;
	reissue: boolean;
	config?: string[] | undefined;
	json: boolean;
}

export const EXPORT_HELP = `  vikno device export --mosquitto --out DIR [--reissue] [--config FILE…] [--json] [--data DIR]
      DIR/acl: mosquitto's acl_file from the credentials (with --config, each node only the kinds of
      its role; nodes not in the files left out); --reissue: new passwords for every active
      credential, into DIR/passwd (mosquitto_passwd format) and the registry alike, printed once`;

export function exportDevices(registry: DeviceRegistry, o: ExportOptions): Promise<number> {
	if (!o.mosquitto) throw new UsageError(`device export needs --mosquitto (the one format there is)\n${EXPORT_HELP}`);
	if (!o.out) throw new UsageError("device export needs --out DIR");
	return writeMosquitto(registry, o, o.out);
}

async function writeMosquitto(registry: DeviceRegistry, o: ExportOptions, out: string): Promise<number> {
	const centres = (o.config ?? []).map((f) => indexCentre(loadCentreFile(f)));
	const role =
		centres.length > 0
			? (centre: string, node: string) => centres.find((c) => c.centre.id === centre)?.nodes.get(node)?.role
			: undefined;
	mkdirSync(out, { recursive: true });
	const acl = mosquittoAcl(registry.list(), { source: registry.path, now: new Date(), ...(role ? { role } : {}) });
	writeAtomically(join(out, "acl"), acl.text, 0o644);
	for (const u of acl.skipped)
		console.error(`vikno device export: ${u} is in no centre file given; left out of the ACL`);
	if (!o.reissue) {
		console.log(
			`wrote ${join(out, "acl")}\nmosquitto cannot read vikno's scrypt hashes: --reissue gives every device a new password, in ${join(out, "passwd")} and the registry alike`,
		);
		return 0;
	}
	const issued = await registry.reissue();
	writeAtomically(join(out, "passwd"), mosquittoPasswd(issued), 0o600);
	const shown = issued.map((i) => ({
		username: i.username,
		mosquittoUsername: mosquittoUsername(i.username),
		password: i.password,
	}));
	if (o.json) console.log(JSON.stringify(shown));
	else {
		console.log(
			`wrote ${join(out, "acl")} and ${join(out, "passwd")}; new passwords (shown only now; the old ones no longer work):`,
		);
		for (const s of shown)
			console.log(
				`${s.mosquittoUsername.padEnd(40)} ${s.password}${s.mosquittoUsername !== s.username ? `  (${s.username} in vikno)` : ""}`,
			);
	}
	return 0;
}

/** A reader (mosquitto reloading on SIGHUP) sees the old file or the new one, never half of one. */
function writeAtomically(path: string, text: string, mode: number): void {
	const tmp = `${path}.${process.pid}.tmp`;
	writeFileSync(tmp, text, { mode });
	chmodSync(tmp, mode);
	renameSync(tmp, path);
}
