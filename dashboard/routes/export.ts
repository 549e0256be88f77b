/**
 * CSV export of the dashboard's tables (dashboard/exportTables.ts), UTF-8 with a byte-order mark:
 *   GET /api/v1/centres/{centre}/export/{table}?from=…&to=…&step=…&lang=uk|en
 *   GET /api/v1/export/network?lang=…                       (admin)
 * A download (`content-disposition: attachment`) named by centre, table and period. The devices
 * table is an admin's, as its view is.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { refusal, visibleCentres } from "../../core/roles.ts";
import type { AppOptions } from "../app.ts";
import { toCsv } from "../csv.ts";
import { errorResponses, HttpError, unknownCentre } from "../errors.ts";
import { columnNames, NETWORK_COLUMNS, networkCells, TABLES } from "../exportTables.ts";
import { maxDays, span } from "../reports.ts";
import { ExportParams, ExportQuery, LangQuery } from "./managerSchemas.ts";
import { networkRows } from "./network.ts";
import { textAnswer } from "./schemas.ts";

const CSV = "text/csv; charset=utf-8";
const csvAnswer = (what: string) =>
	textAnswer("text/csv", `${what}: UTF-8 with a byte-order mark, comma-separated, a header line first`);

export async function exportRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall, journal, store } = opts;
	if (!store) return;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["manager"];

	app.get(
		"/api/v1/centres/:centre/export/:table",
		{
			schema: {
				operationId: "exportTable",
				summary: "A table of the dashboard as CSV",
				description:
					"The same figures as the JSON routes: live-services and live-windows (/live), quality-* (/quality), " +
					"service-levels, trends (/trends, by `step`), best-times, alerts (/alerts/history), devices (/devices, " +
					"admin). Times in the centre's zone; column names in `lang`.",
				tags,
				params: ExportParams,
				querystring: ExportQuery,
				response: { 200: csvAnswer("The table"), ...errorResponses("unknown_centre") },
			},
			config: { access: "read" },
		},
		async (req, reply) => {
			const { centre, table } = req.params;
			const index = hall.centres.get(centre);
			if (!index) throw unknownCentre(centre);
			if (table === "devices" && refusal(req.auth?.user, "admin"))
				throw new HttpError("forbidden", "the devices table is an administrator's");
			const lang = req.query.lang ?? "uk";
			const s = span(index, req.query, opts.now(), maxDays(store));
			const spec = TABLES[table];
			const ctx = { hall, journal, store, index, span: s, step: req.query.step ?? "1h", lang };
			const body = toCsv(columnNames(spec.columns(ctx), lang), await spec.rows(ctx));
			const period = spec.live ? (hall.view(centre)?.day ?? s.to) : s.from === s.to ? s.from : `${s.from}_${s.to}`;
			return reply
				.type(CSV)
				.header("content-disposition", `attachment; filename="${centre}-${table}-${period}.csv"`)
				.send(body);
		},
	);

	app.get(
		"/api/v1/export/network",
		{
			schema: {
				operationId: "exportNetwork",
				summary: "All centres side by side as CSV (admin)",
				tags,
				querystring: LangQuery,
				response: { 200: csvAnswer("The network table"), ...errorResponses() },
			},
			config: { access: "admin" },
		},
		async (req, reply) => {
			const lang = req.query.lang ?? "uk";
			const user = req.auth?.user;
			const rows = networkRows(hall, user ? visibleCentres(user, hall.centres.keys()) : []);
			const day = rows[0]?.day ?? "";
			return reply
				.type(CSV)
				.header("content-disposition", `attachment; filename="network-${day}.csv"`)
				.send(
					toCsv(
						columnNames(NETWORK_COLUMNS, lang),
						rows.map((r) => networkCells(r, lang)),
					),
				);
		},
	);
}
