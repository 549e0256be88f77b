/**
 * The alert journal on the manager side:
 *   GET  /api/v1/centres/{centre}/alerts/history?from=…&to=…   alerts active at some time in the period
 *   POST /api/v1/centres/{centre}/alerts/ack                     acknowledge one, with a comment (CSRF)
 * A manager or admin acknowledges (a viewer reads); who and when come from the session and the
 * hub's clock, never from the request. Each acknowledgement reaches every open dashboard through
 * the stream's `alerts` event.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { AlertRecord } from "../../core/alertJournal.ts";
import type { AppOptions } from "../app.ts";
import { errorResponses, HttpError, unknownCentre } from "../errors.ts";
import { span } from "../reports.ts";
import type { AlertJournalSource, HallSource } from "../sources.ts";
import { AckBody, type ActiveAlerts, AlertHistory } from "./managerSchemas.ts";
import { CentreParams, DayRange } from "./schemas.ts";

/** The active set and the journal's records of it (what the API answers and the stream sends). */
export function activeAlerts(hall: HallSource, journal: AlertJournalSource, centre: string): ActiveAlerts {
	const alerts = [...hall.alerts(centre)];
	const open = journal.open(centre);
	return {
		centre,
		alerts,
		records: open.filter((r) => alerts.some((a) => a.key === r.key && a.since === r.since)),
	};
}

export async function alertRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall, journal } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["manager"];
	const index = (centre: string) => {
		const i = hall.centres.get(centre);
		if (!i) throw unknownCentre(centre);
		return i;
	};

	app.get(
		"/api/v1/centres/:centre/alerts/history",
		{
			schema: {
				operationId: "getAlertHistory",
				summary: "Alerts of a period, with their acknowledgements",
				description:
					"Every alert active at some time in the local days from..to (default today), newest first: rule, " +
					"severity, message, value and threshold, when raised and resolved, who acknowledged it and what they wrote.",
				tags,
				params: CentreParams,
				querystring: DayRange,
				response: { 200: AlertHistory, ...errorResponses("unknown_centre") },
			},
			config: { access: "read" },
		},
		async (req) => {
			const i = index(req.params.centre);
			const s = span(i, req.query, opts.now());
			return { centre: i.centre.id, from: s.from, to: s.to, alerts: journal.between(i.centre.id, s.fromTs, s.toTs) };
		},
	);

	app.post(
		"/api/v1/centres/:centre/alerts/ack",
		{
			schema: {
				operationId: "acknowledgeAlert",
				summary: "Acknowledge an alert, with a comment",
				description:
					"JSON {key, since, comment} with x-csrf-token: the alert's key and `since` as the API gives them. " +
					"Stored with the user and the hub's time; a second acknowledgement adds a comment. " +
					"Active and resolved alerts alike.",
				tags,
				params: CentreParams,
				body: AckBody,
				response: { 200: AlertRecord, ...errorResponses("unknown_centre", "unknown_alert") },
			},
			config: { access: "change" },
		},
		async (req) => {
			const i = index(req.params.centre);
			const user = req.auth?.user;
			if (!user) throw new HttpError("unauthorized", "sign in first");
			const { key, since, comment } = req.body;
			const record = journal.acknowledge(
				i.centre.id,
				{ key, since },
				{ by: user.name, at: opts.now(), comment: comment.trim() },
			);
			if (!record) throw new HttpError("unknown_alert", `no alert "${key}" since ${since} at centre "${i.centre.id}"`);
			return record;
		},
	);
}
