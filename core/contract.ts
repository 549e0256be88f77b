/**
 * Wire contract v1: one table of message kinds and their payload schemas.
 * TypeScript types are derived from these schemas; nothing is written twice.
 */
import Type, { type Static, type TSchema } from "typebox";

/** Limit on one payload; larger messages are rejected as `too_large`. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

const eventId = Type.String({
	minLength: 1,
	maxLength: 64,
	pattern: "^[A-Za-z0-9_-]+$",
	description: "Idempotency key made at the edge (UUIDv7 or ULID)",
});
const epochMs = Type.Integer({
	minimum: 1_000_000_000_000,
	maximum: 9_999_999_999_999,
	description: "Epoch milliseconds at the edge",
});
const ref = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$" });
const ticket = Type.String({ minLength: 1, maxLength: 16, pattern: "^[A-Za-z0-9-]+$" });

/**
 * Unknown extra fields are never a reason to reject (a newer edge must not be rejected by an older
 * hub), and never kept either: decode passes on only the fields listed here (`KNOWN_FIELDS`), so
 * whatever else a node sends — a name, a phone number — is neither stored nor forwarded.
 */
const open = { additionalProperties: true } as const;

export const RatingPayload = Type.Object(
	{
		id: eventId,
		ts: epochMs,
		score: Type.Integer({ minimum: 1, maximum: 10 }),
		ticket: Type.Optional(ticket),
		extra: Type.Optional(Type.Boolean()),
	},
	open,
);

export const QUEUE_EVENTS = ["issued", "called", "started", "finished", "no_show", "cancelled"] as const;
export const QueueEventName = Type.Union([
	Type.Literal("issued"),
	Type.Literal("called"),
	Type.Literal("started"),
	Type.Literal("finished"),
	Type.Literal("no_show"),
	Type.Literal("cancelled"),
]);

export const QueuePayload = Type.Object(
	{
		id: eventId,
		ts: epochMs,
		event: QueueEventName,
		ticket,
		service: ref,
		window: Type.Optional(ref),
		priority: Type.Optional(ref),
	},
	open,
);

const increment = Type.Integer({ minimum: 0, maximum: 10_000 });
export const OccupancyPayload = Type.Object(
	{
		id: eventId,
		ts: epochMs,
		zone: ref,
		count: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
		in: Type.Optional(increment),
		out: Type.Optional(increment),
	},
	open,
);

export const StatusPayload = Type.Object(
	{
		id: eventId,
		ts: epochMs,
		online: Type.Boolean(),
		version: Type.Optional(Type.String({ maxLength: 64 })),
		uptimeS: Type.Optional(Type.Number({ minimum: 0 })),
		buffered: Type.Optional(Type.Integer({ minimum: 0 })),
		cpuTempC: Type.Optional(Type.Number({ minimum: -50, maximum: 150 })),
		/** What the edge adds (edge/node.ts): its role, and at a window whether it is paused and the ticket it serves. */
		role: Type.Optional(Type.String({ maxLength: 32 })),
		paused: Type.Optional(Type.Boolean()),
		ticket: Type.Optional(Type.Union([ticket, Type.Null()])),
	},
	open,
);

export const RequestPayload = Type.Object(
	{
		id: eventId,
		ts: epochMs,
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

export type RatingData = Static<typeof RatingPayload>;
export type QueueData = Static<typeof QueuePayload>;
export type QueueEventType = (typeof QUEUE_EVENTS)[number];
export type OccupancyData = Static<typeof OccupancyPayload>;
export type StatusData = Static<typeof StatusPayload>;
export type RequestData = Static<typeof RequestPayload>;

export interface PayloadOf {
	rating: RatingData;
	queue: QueueData;
	occupancy: OccupancyData;
	status: StatusData;
	request: RequestData;
}

/** A decoded message: where it came from plus its typed payload. */
export type WireEvent = {
	[K in Kind]: { kind: K; centre: string; node: string; data: PayloadOf[K] };
}[Kind];

export type EventOf<K extends Kind> = Extract<WireEvent, { kind: K }>;

export function isKind(value: string): value is Kind {
	return Object.hasOwn(KINDS, value);
}
