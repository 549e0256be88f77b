/**
 * Wire contract v1, hub → node: the commands a node receives on
 * `vikno/v1/{centre}/{node}/cmd/{name}`, one table of names and payload schemas, types derived
 * from them. Only the hub publishes there (broker/acl.ts); the node checks every command against
 * its schema before it acts (`decodeCommand`), and a malformed one changes nothing.
 *
 * As for events, unknown extra fields are never a reason to refuse (an older node must not
 * refuse a newer hub's command) and are ignored.
 */
import Type, { type Static, type TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { EventId, MAX_PAYLOAD_BYTES, open, Ref, Ticket } from "./contract.ts";

/**
 * The dispatcher's answer to a window's `request` (`action: "next"`), echoing the request's id:
 * the ticket to call with its service (and priority category), or `ticket: null` when nobody
 * waits for this window.
 */
export const CallCommand = Type.Union([
	Type.Object(
		{ request: EventId, ticket: Ticket, service: Ref, priority: Type.Optional(Ref) },
		{ ...open, title: "a ticket to call" },
	),
	Type.Object(
		{ request: EventId, ticket: Type.Null(), service: Type.Optional(Type.Null()) },
		{ ...open, title: "nobody waits" },
	),
]);

/** Blink the light so a technician finds the box: for `seconds` (default 10, at most 300 are blinked). */
export const IdentifyCommand = Type.Object({ seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })) }, open);

/** Re-read the node's config file (a bad one is logged, the running config kept). No arguments. */
export const ReloadCommand = Type.Object({}, open);

/** Publish the retained status now. No arguments. */
export const StatusCommand = Type.Object({}, open);

/**
 * Put the window on a break or end it (the operator console's pause): the window node sets its
 * state as its own pause button would, and publishes its status saying so.
 */
export const PauseCommand = Type.Object({ paused: Type.Boolean() }, open);

/** The commands a node may receive (`call` and `pause` only a window node acts on). */
export const COMMANDS = {
	call: { schema: CallCommand },
	pause: { schema: PauseCommand },
	identify: { schema: IdentifyCommand },
	reload: { schema: ReloadCommand },
	status: { schema: StatusCommand },
} as const satisfies Record<string, { schema: TSchema }>;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** Each command's payload type, from its schema in the table. */
export type CommandOf = { [C in CommandName]: Static<(typeof COMMANDS)[C]["schema"]> };
export type CallData = CommandOf["call"];
export type IdentifyData = CommandOf["identify"];

/** A checked command: its name and typed payload (a union discriminated by `name`). */
export type Command = { [C in CommandName]: { name: C; data: CommandOf[C] } }[CommandName];

export function isCommandName(value: string): value is CommandName {
	return Object.hasOwn(COMMANDS, value);
}

type Validator = ReturnType<typeof Compile>;
const checks = Object.fromEntries(COMMAND_NAMES.map((name) => [name, Compile(COMMANDS[name].schema)])) as Record<
	CommandName,
	Validator
>;
/** The alternatives of a command's schema (`call`: a ticket, or nobody waits), to explain a refusal by the nearest one. */
const variants = Object.fromEntries(
	COMMAND_NAMES.map((name) => {
		const schema: TSchema = COMMANDS[name].schema;
		const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
		return [name, (anyOf ?? [schema]).map((s) => Compile(s))];
	}),
) as Record<CommandName, Validator[]>;

/** True when `c.data` matches the schema of command `c.name`; then `c` is a Command. */
export function isCommand<C extends { name: CommandName; data: unknown }>(c: C): c is C & Command {
	return checks[c.name].Check(c.data);
}

/** Why `data` does not match command `name`'s schema (the first few problems, each at its JSON pointer). */
export function commandProblems(name: CommandName, data: unknown, max = 3): string {
	let nearest: ReturnType<Validator["Errors"]> = [];
	for (const v of variants[name]) {
		const errors = v.Errors(data);
		if (nearest.length === 0 || errors.length < nearest.length) nearest = errors;
	}
	return nearest
		.slice(0, max)
		.map((e) => `${e.instancePath || "/"} ${e.message}`)
		.join("; ");
}

export type DecodedCommand =
	| { ok: true; command: Command }
	/** `unknown`: a name this node does not know (a newer hub's command); `malformed`: see `detail`. */
	| { ok: false; problem: "unknown" | "malformed"; detail: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A command as received (`name`: the topic level after `cmd/`) → a typed command, or why not.
 * An empty payload is `{}` (a command without arguments, `mosquitto_pub -n`); anything else must
 * be one UTF-8 JSON object matching the command's schema. Pure.
 */
export function decodeCommand(name: string, bytes: Uint8Array): DecodedCommand {
	if (!isCommandName(name)) return { ok: false, problem: "unknown", detail: `no command named "${name}"` };
	const malformed = (detail: string): DecodedCommand => ({ ok: false, problem: "malformed", detail });
	if (bytes.byteLength > MAX_PAYLOAD_BYTES)
		return malformed(`${name}: payload is ${bytes.byteLength} bytes, the limit is ${MAX_PAYLOAD_BYTES}`);
	let data: unknown = {};
	if (bytes.byteLength > 0) {
		try {
			data = JSON.parse(utf8.decode(bytes));
		} catch (e) {
			return malformed(`${name}: payload is not UTF-8 JSON: ${(e as Error).message}`);
		}
	}
	if (typeof data !== "object" || data === null || Array.isArray(data))
		return malformed(`${name}: payload must be a JSON object, got ${Array.isArray(data) ? "an array" : typeof data}`);
	const command = { name, data };
	if (!isCommand(command)) return malformed(`${name} payload: ${commandProblems(name, data)}`);
	return { ok: true, command };
}
