/**
 * `vikno user add|list|remove|passwd`: the people who sign in to the manager dashboard, in
 * DATA/users.db (store/users.ts). A password is made here and printed once, or read from stdin;
 * only its salted scrypt hash is stored, in the devices' format (broker/passwords.ts). The hub
 * reads the file at every request: changes take effect at once.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { hashPassword, newPassword } from "../broker/passwords.ts";
import { isRole, ROLE_NAMES, ROLES } from "../core/roles.ts";
import { problemsOf, UserStore, UserStoreError, usersPath } from "../store/users.ts";
import { UsageError } from "./options.ts";

/** Shortest password a person may choose (a made one is 32 characters). */
export const MIN_PASSWORD = 12;

export const USER_HELP = `vikno user — who signs in to the manager dashboard (stored in DATA/users.db)

Usage:
  vikno user add NAME --role ROLE [--centre C]… [--window W]… [--password-stdin] [--json] [--data DIR]
      an operator: --role operator --centre C --window W (the windows of that centre whose consoles they use)
      create a user; a password is made and printed once (or read from stdin, at least ${MIN_PASSWORD} characters)
  vikno user list [--json] [--data DIR]
  vikno user remove NAME [--data DIR]
      the user's sessions end at their next request
  vikno user passwd NAME [--password-stdin] [--json] [--data DIR]
      a new password, printed once (or read from stdin); the user's other sessions end

Roles:
${ROLE_NAMES.map((r) => `  ${r.padEnd(9)} ${ROLES[r].description}${ROLES[r].allCentres ? " (no --centre)" : " (one --centre or more)"}`).join("\n")}

NAME: lower case letters, digits and . _ @ - (an e-mail address fits). DIR defaults to ./data,
the data directory of the hub. Only a salted scrypt hash of a password is stored.
`;

const OPTIONS = {
	data: { type: "string", default: "./data" },
	role: { type: "string" },
	centre: { type: "string", multiple: true },
	window: { type: "string", multiple: true },
	"password-stdin": { type: "boolean", default: false },
	json: { type: "boolean", default: false },
	help: { type: "boolean", short: "h", default: false },
} as const;

export async function userCommand(args: string[]): Promise<number> {
	let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>>;
	try {
		parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
	} catch (e) {
		throw new UsageError(`${(e as Error).message} (vikno user --help)`);
	}
	const o = parsed.values;
	const [action, name, ...extra] = parsed.positionals;
	if (o.help || action === "help" || action === undefined) {
		console.log(USER_HELP);
		return action === undefined && !o.help ? 2 : 0;
	}
	if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(" ")} (vikno user --help)`);
	const needName = () => {
		if (!name) throw new UsageError(`user ${action} needs a NAME (vikno user --help)`);
		return name;
	};

	const users = new UserStore(usersPath(o.data));
	try {
		switch (action) {
			case "add": {
				const { role = "", centre: centres = [] } = o;
				// --window W with one --centre C is C/W; "C/W" may be given as it is.
				const windows = (o.window ?? []).map((w) =>
					w.includes("/") || centres.length !== 1 ? w : `${centres[0]}/${w}`,
				);
				const problems = o.role === undefined ? [`--role is required (${ROLE_NAMES.join(", ")})`] : [];
				problems.push(
					...problemsOf({ name: needName(), role, centres, windows }).filter((p) => o.role || !p.startsWith("role")),
				);
				if (problems.length > 0 || !isRole(role)) throw new UsageError(`${problems.join("; ")} (vikno user --help)`);
				const password = o["password-stdin"] ? readPassword() : newPassword();
				const hash = await hashPassword(password);
				const record = users.add({ name: needName(), role, centres, windows, hash });
				const shown = o["password-stdin"] ? {} : { password };
				if (o.json)
					console.log(
						JSON.stringify({
							name: record.name,
							role: record.role,
							centres: record.centres,
							...(record.windows.length ? { windows: record.windows } : {}),
							...shown,
						}),
					);
				else {
					console.log(`user:      ${record.name}`);
					console.log(`role:      ${record.role}${record.centres.length ? ` of ${record.centres.join(", ")}` : ""}`);
					if (record.windows.length) console.log(`windows:   ${record.windows.join(", ")}`);
					if (!o["password-stdin"]) console.log(`password:  ${password}\nThe password is shown only now.`);
				}
				return 0;
			}
			case "list": {
				const list = users.list().map(({ hash: _hash, ...shown }) => shown);
				if (o.json) console.log(JSON.stringify(list));
				else if (list.length === 0) console.log(`no users in ${users.path}`);
				else
					for (const u of list)
						console.log(
							`${u.name.padEnd(32)} ${u.role.padEnd(8)} ${(u.centres.join(",") || "(every centre)").padEnd(24)} created ${u.created}  password set ${u.passwordChanged}`,
						);
				return 0;
			}
			case "remove": {
				const who = needName();
				if (!users.remove(who)) {
					console.error(`vikno user: no user "${who}"`);
					return 1;
				}
				console.log(`removed ${who}; their sessions end at their next request`);
				return 0;
			}
			case "passwd": {
				const who = needName();
				if (!users.get(who)) {
					console.error(`vikno user: no user "${who}"`);
					return 1;
				}
				const password = o["password-stdin"] ? readPassword() : newPassword();
				users.setHash(who, await hashPassword(password));
				if (o.json) console.log(JSON.stringify({ name: who, ...(o["password-stdin"] ? {} : { password }) }));
				else if (o["password-stdin"]) console.log(`password of ${who} set; their other sessions end`);
				else console.log(`user:      ${who}\npassword:  ${password}\nThe password is shown only now.`);
				return 0;
			}
			default:
				throw new UsageError(`user needs add, list, remove or passwd, not "${action}" (vikno user --help)`);
		}
	} catch (e) {
		if (e instanceof UserStoreError) {
			console.error(`vikno user: ${e.message}`);
			return 1;
		}
		throw e;
	} finally {
		users.close();
	}
}

/** The password piped in (`printf %s "$PW" | vikno user add …`), without a final newline. */
function readPassword(): string {
	const text = readFileSync(0, "utf8").replace(/\r?\n$/, "");
	if (text.length < MIN_PASSWORD) throw new UsageError(`the password must be at least ${MIN_PASSWORD} characters`);
	return text;
}
