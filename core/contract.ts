/**
 * Wire contract v1, node → hub: one table of message kinds and their payload schemas.
 * TypeScript types are derived from these schemas; nothing is written twice. What the hub sends
 * back (commands, its `$hub` state) is in core/commands.ts and core/hubState.ts.
 */
import Type, { type Static, type TSchema } from "typebox";
import { Compile } from "typebox/compile";

/** Limit on one payload; larger messages are rejected as `too_large`. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/** The field types the contract's messages share (the hub's answers use them too). */
export const EventId = Type.String({
	minLength: 1,
	maxLength: 64,
	pattern: "^[A-Za-z0-9_-]+$",
	description: "Idempotency key made at the edge (UUIDv7 or ULID)",
});
export const EpochMs = Type.Integer({
	minimum: 1_000_000_000_000,
	maximum: 9_999_999_999_999,
	description: "Epoch milliseconds",
});
/** A centre's id for a service, window, zone, node or priority category. */
export const Ref = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$" });
export const Ticket = Type.String({ minLength: 1, maxLength: 16, pattern: "^[A-Za-z0-9-]+$" });

/**
 * Unknown extra fields are never a reason to reject (a newer edge must not be rejected by an older
 * hub), and never kept either: decode passes on only the fields listed here (`KNOWN_FIELDS`), so
 * whatever else a node sends — a name, a phone number — is neither stored nor forwarded.
 */
export const open = { additionalProperties: true } as const;

/** How a rating was given: a window's buttons, or the hub's QR rating page. */
export const RATING_SOURCES = ["button", "qr"] as const;
export const RatingSource = Type.Enum(RATING_SOURCES, {
	description: "button: the window's rating buttons; qr: the rating page reached by a QR code (set by the hub)",
});
export type RatingSource = (typeof RATING_SOURCES)[number];

export const RatingPayload = Type.Object(
	{
		id: EventId,
		ts: EpochMs,
		score: Type.Integer({ minimum: 1, maximum: 10 }),
		ticket: Type.Optional(Ticket),
		extra: Type.Optional(Type.Boolean()),
		/**
		 * How the visitor rated: the window's buttons, or the QR code at the window or on the ticket
		 * (the hub's rating page). Set by the hub on every rating it keeps and forwards; what a node
		 * sends here is not taken (a node's ratings are `button`).
		 */
		source: Type.Optional(RatingSource),
	},
	open,
);

/** The course of a ticket, listed once: the schema and the type are made from this list. */
export const QUEUE_EVENTS = ["issued", "called", "started", "finished", "no_show", "cancelled", "transferred"] as const;
export const QueueEventName = Type.Enum(QUEUE_EVENTS);

export const QueuePayload = Type.Object(
	{
		id: EventId,
		ts: EpochMs,
		event: QueueEventName,
		ticket: Ticket,
		service: Ref,
		window: Type.Optional(Ref),
		priority: Type.Optional(Ref),
		/**
		 * For `transferred` only (and required there): the service the ticket waits for now. The
		 * administrator sends the visitor on to another service; the ticket keeps its number and
		 * its place by issue time in that service's queue. `service` stays the one it left.
		 */
		to: Type.Optional(Ref),
	},
	open,
);

const increment = Type.Integer({ minimum: 0, maximum: 10_000 });
export const OccupancyPayload = Type.Object(
	{
		id: EventId,
		ts: EpochMs,
		zone: Ref,
		count: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
		in: Type.Optional(increment),
		out: Type.Optional(increment),
	},
	open,
);

/** A ticket terminal's printer (edge/printer/): printing, or why not. */
export const PRINTER_STATES = ["ok", "paper_out", "cover_open", "offline"] as const;
export type PrinterState = (typeof PRINTER_STATES)[number];
export function isPrinterState(value: unknown): value is PrinterState {
	return typeof value === "string" && (PRINTER_STATES as readonly string[]).includes(value);
}

export const StatusPayload = Type.Object(
	{
		id: EventId,
		ts: EpochMs,
		online: Type.Boolean(),
		version: Type.Optional(Type.String({ maxLength: 64 })),
		uptimeS: Type.Optional(Type.Number({ minimum: 0 })),
		buffered: Type.Optional(Type.Integer({ minimum: 0 })),
		cpuTempC: Type.Optional(Type.Number({ minimum: -50, maximum: 150 })),
		/** What the edge adds (edge/node.ts): its role, and at a window whether it is paused and the ticket it serves. */
		role: Type.Optional(Type.String({ maxLength: 32 })),
		paused: Type.Optional(Type.Boolean()),
		ticket: Type.Optional(Type.Union([Ticket, Type.Null()])),
		/** At a terminal with a printer: its state (`paper_out`, `cover_open`, `offline` raise an alert). */
		printer: Type.Optional(Type.Enum([...PRINTER_STATES])),
		/** What the node refused since it started, by reason (edge/refusals.ts); absent while nothing was. */
		refused: Type.Optional(
			Type.Record(Type.String({ pattern: "^[a-z][a-z_]{0,31}$" }), Type.Integer({ minimum: 0 }), {
				additionalProperties: false,
			}),
		),
	},
	open,
);

export const RequestPayload = Type.Object(
	{
		id: EventId,
		ts: EpochMs,
		action: Type.Literal("next"),
	},
	open,
);

/** The kinds a node may publish, with their schemas and whether the message is state (retained). */
export const KINDS = {
	rating: { schema: RatingPayload, retained: false },
	queue: { schema: QueuePayload, retained: false },
	occupancy: { schema: OccupancyPayload, retained: false },
	status: { schema: StatusPayload, retained: true },
	request: { schema: RequestPayload, retained: false },
} as const satisfies Record<string, { schema: TSchema; retained: boolean }>;

export type Kind = keyof typeof KINDS;
export const KIND_NAMES = Object.keys(KINDS) as Kind[];

/** The fields of each kind's payload, from its schema: the only ones decode passes on. */
export const KNOWN_FIELDS = Object.fromEntries(
	KIND_NAMES.map((kind) => [kind, new Set(Object.keys(KINDS[kind].schema.properties))]),
) as unknown as Record<Kind, ReadonlySet<string>>;

/** Each kind's payload type, from its schema in the table. */
export type PayloadOf = { [K in Kind]: Static<(typeof KINDS)[K]["schema"]> };

export type RatingData = PayloadOf["rating"];
export type QueueData = PayloadOf["queue"];
export type QueueEventType = (typeof QUEUE_EVENTS)[number];
export type OccupancyData = PayloadOf["occupancy"];
export type StatusData = PayloadOf["status"];
export type RequestData = PayloadOf["request"];

/** A decoded message of one kind: where it came from plus its typed payload. */
export type EventOf<K extends Kind> = { kind: K; centre: string; node: string; data: PayloadOf[K] };

/** A decoded message of any kind (a union discriminated by `kind`). */
export type WireEvent = { [K in Kind]: EventOf<K> }[Kind];

export function isKind(value: string): value is Kind {
	return Object.hasOwn(KINDS, value);
}

const checks = Object.fromEntries(KIND_NAMES.map((kind) => [kind, Compile(KINDS[kind].schema)])) as Record<
	Kind,
	ReturnType<typeof Compile>
>;

/**
 * The one gate into the typed world: true when `e.data` matches the schema of `e.kind`, and then
 * `e` is a WireEvent — a message just decoded, a payload the edge is about to store, an event read
 * back from a store. Nothing else turns a kind and an object into a typed event.
 */
export function isWireEvent<E extends { kind: Kind; centre: string; node: string; data: unknown }>(
	e: E,
): e is E & WireEvent {
	return checks[e.kind].Check(e.data);
}

/** Why `data` does not match the schema of `kind`: the first few problems, each at its JSON pointer. */
export function payloadProblems(kind: Kind, data: unknown, max = 3): string {
	return [...checks[kind].Errors(data)]
		.slice(0, max)
		.map((e) => `${e.instancePath || "/"} ${e.message}`)
		.join("; ");
}
