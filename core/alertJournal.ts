/**
 * The journal of a centre's alerts: each alert from when the hub raised it to when it resolved,
 * with the acknowledgements and comments people added (who, when, what). The hub hands the whole
 * active set over on every change (core/alerts.ts, `$hub/alerts`); `journalChanges` works out
 * what that means for the records still open. An alert is one record per `key` and `since`
 * (core/alerts.ts keeps `since` while the condition holds), so the same condition raised again
 * later is a new record.
 *
 *   journalChanges(open, active) → { raised, updated, resolved }
 *
 * Pure: the caller stores the result (store/alertJournal.ts) with the time it happened.
 */
import Type, { type Static } from "typebox";
import { type Alert, AlertSchema } from "./hubState.ts";
import { EpochMs, orNull } from "./schemaParts.ts";

/** The longest comment kept with an acknowledgement. */
export const MAX_COMMENT = 500;

export const AlertAck = Type.Object({
	by: Type.String({ description: "User name of who acknowledged or commented" }),
	at: EpochMs,
	comment: Type.String({ maxLength: MAX_COMMENT, description: "What they wrote (may be empty)" }),
});

export const AlertRecord = Type.Object(
	{
		key: AlertSchema.properties.key,
		rule: AlertSchema.properties.rule,
		/** The latest severity while it was active. */
		severity: AlertSchema.properties.severity,
		subject: AlertSchema.properties.subject,
		message: AlertSchema.properties.message,
		since: EpochMs,
		value: Type.Number(),
		threshold: Type.Number(),
		raisedAt: Type.Integer({ description: "When the hub raised it, epoch ms" }),
		resolvedAt: orNull(Type.Integer({ description: "When it resolved, epoch ms; null while active" })),
		/** The first is the acknowledgement; later ones are further comments. Oldest first. */
		acks: Type.Array(AlertAck),
	},
	{ description: "An alert from raised to resolved, with its acknowledgements" },
);

export type AlertAck = Static<typeof AlertAck>;
export type AlertRecord = Static<typeof AlertRecord>;

/** What identifies a record: the alert's key and when its condition began. */
export interface AlertId {
	key: string;
	since: number;
}

export const sameAlert = (a: AlertId, b: AlertId) => a.key === b.key && a.since === b.since;

export interface JournalChanges {
	/** Active now and not open in the journal: new records. */
	raised: Alert[];
	/** Open and still active, with a figure, message or severity that moved. */
	updated: Alert[];
	/** Open in the journal and no longer active: resolved now. */
	resolved: AlertId[];
}

export function journalChanges(open: readonly AlertRecord[], active: readonly Alert[]): JournalChanges {
	const out: JournalChanges = { raised: [], updated: [], resolved: [] };
	for (const a of active) {
		const record = open.find((r) => sameAlert(r, a));
		if (!record) out.raised.push(a);
		else if (
			record.severity !== a.severity ||
			record.value !== a.value ||
			record.threshold !== a.threshold ||
			record.message.uk !== a.message.uk ||
			record.message.en !== a.message.en
		)
			out.updated.push(a);
	}
	for (const r of open) if (!active.some((a) => sameAlert(r, a))) out.resolved.push({ key: r.key, since: r.since });
	return out;
}
