/**
 * The tables of the CSV export, one per table of the dashboard: its columns (Ukrainian and English
 * names) and its rows, from the same reports the JSON routes answer (dashboard/reports.ts), so a
 * file and the API agree cell for cell. Figures keep the API's units (seconds, shares 0..1);
 * times are the centre's local "YYYY-MM-DD HH:MM".
 */
import type { AlertRecord } from "../core/alertJournal.ts";
import type { CentreIndex } from "../core/centre.ts";
import type { QualityFigures } from "../core/quality.ts";
import type { EventStore, Step } from "../store/types.ts";
import type { Cell } from "./csv.ts";
import { qualityOf, type Span, serviceLevelsOf, trendsOf } from "./reports.ts";
import type { ExportTable, NetworkRow } from "./routes/managerSchemas.ts";
import type { AlertJournalSource, HallSource } from "./sources.ts";
import { formatStamp, type Lang } from "./web/format.ts";

export interface ExportContext {
	hall: HallSource;
	journal: AlertJournalSource;
	store: EventStore;
	index: CentreIndex;
	span: Span;
	step: Step;
	lang: Lang;
}

type Column = readonly [uk: string, en: string];
interface TableSpec {
	columns: (ctx: ExportContext) => Column[];
	rows: (ctx: ExportContext) => Promise<Cell[][]> | Cell[][];
	/** Live tables have no period: the file is named by the day instead. */
	live?: boolean;
}

const scoreColumns = (ctx: ExportContext): Column[] =>
	Array.from({ length: ctx.index.centre.ratingScale }, (_, i) => [`оцінок «${i + 1}»`, `score ${i + 1}`] as const);

const qualityColumns =
	(key: Column) =>
	(ctx: ExportContext): Column[] => [
		key,
		["назва", "name"],
		["оцінок", "ratings"],
		["середня", "mean"],
		["CSAT (частка 4–5)", "CSAT (share of top two)"],
		["NPS-індекс", "NPS-style index"],
		["зайві натискання", "extra presses"],
		["достатньо даних", "meaningful"],
		...scoreColumns(ctx),
	];

const qualityRow = (key: string, name: string, f: QualityFigures): Cell[] => [
	key,
	name,
	f.count,
	f.mean,
	f.csat,
	f.nps,
	f.extra,
	f.meaningful,
	...f.distribution,
];

function qualityTable(pick: "byWindow" | "byService" | "byAdministrator" | "byDay", key: Column): TableSpec {
	return {
		columns: qualityColumns(key),
		async rows(ctx) {
			const q = await qualityOf(ctx.store, ctx.index, ctx.span);
			const c = ctx.index.centre;
			const name = (id: string): string => {
				if (pick === "byService") return c.services.find((s) => s.id === id)?.name[ctx.lang] ?? id;
				if (pick === "byWindow") return c.windows.find((w) => w.id === id)?.name ?? id;
				if (pick === "byAdministrator") return c.administrators?.find((a) => a.id === id)?.name ?? id;
				return id;
			};
			return Object.entries(q[pick]).map(([id, f]) => qualityRow(id, name(id), f));
		},
	};
}

const stamp = (ts: number | null, ctx: ExportContext) =>
	ts === null ? null : formatStamp(ts, ctx.index.centre.timeZone);

function alertRow(a: AlertRecord, ctx: ExportContext): Cell[] {
	const first = a.acks[0];
	return [
		a.key,
		a.rule,
		a.severity,
		a.message[ctx.lang],
		stamp(a.since, ctx),
		stamp(a.raisedAt, ctx),
		stamp(a.resolvedAt, ctx),
		a.value,
		a.threshold,
		first?.by ?? null,
		first ? stamp(first.at, ctx) : null,
		a.acks.map((x) => `${x.by} (${stamp(x.at, ctx)}): ${x.comment}`).join("\n"),
	];
}

export const TABLES: Record<ExportTable, TableSpec> = {
	"live-services": {
		live: true,
		columns: () => [
			["послуга", "service"],
			["назва", "name"],
			["у черзі", "waiting"],
			["з них пільгових", "priority waiting"],
			["найдовше очікування, с", "longest wait, s"],
			["прогноз, хв", "estimate, min"],
			["прогноз від, хв", "estimate low, min"],
			["прогноз до, хв", "estimate high, min"],
			["чому без прогнозу", "why no estimate"],
			["норматив, хв", "target, min"],
		],
		rows: (ctx) =>
			(ctx.hall.view(ctx.index.centre.id)?.services ?? []).map((s) => [
				s.id,
				s.name[ctx.lang],
				s.waiting,
				s.priorityWaiting,
				s.longestWaitS,
				s.estimate?.minutes ?? null,
				s.estimate?.low ?? null,
				s.estimate?.high ?? null,
				s.noEstimate ?? null,
				s.targetWaitMin,
			]),
	},
	"live-windows": {
		live: true,
		columns: () => [
			["вікно", "window"],
			["назва", "name"],
			["стан", "state"],
			["талон", "ticket"],
			["послуга", "service"],
			["скільки, с", "for, s"],
			["обслуговано", "served"],
			["адміністратор", "administrator"],
		],
		rows(ctx) {
			const admins = ctx.index.centre.administrators ?? [];
			return (ctx.hall.view(ctx.index.centre.id)?.windows ?? []).map((w) => [
				w.id,
				w.name,
				w.state,
				w.ticket,
				w.service,
				w.sinceS,
				w.served,
				admins.find((a) => a.windows?.includes(w.id))?.id ?? null,
			]);
		},
	},
	"quality-windows": qualityTable("byWindow", ["вікно", "window"]),
	"quality-services": qualityTable("byService", ["послуга", "service"]),
	"quality-administrators": qualityTable("byAdministrator", ["адміністратор", "administrator"]),
	"quality-days": qualityTable("byDay", ["день", "day"]),
	"service-levels": {
		columns: () => [
			["день", "day"],
			["послуга", "service"],
			["назва", "name"],
			["норматив, хв", "target, min"],
			["видано", "issued"],
			["викликано", "called"],
			["обслуговано", "served"],
			["не зʼявилися", "no-shows"],
			["скасовано", "cancelled"],
			["переадресовано", "transferred"],
			["частка в межах нормативу", "share within target"],
			["очікування відоме", "waits known"],
			["в межах нормативу", "within target"],
			["частка неявок", "no-show share"],
			["очікування середнє, с", "wait mean, s"],
			["очікування P90, с", "wait P90, s"],
			["обслуговування середнє, с", "service mean, s"],
			["обслуговування P90, с", "service P90, s"],
		],
		async rows(ctx) {
			const { levels } = await serviceLevelsOf(ctx.store, ctx.index, ctx.span);
			const name = (id: string) =>
				id === "*"
					? ctx.lang === "uk"
						? "усі послуги"
						: "all services"
					: (ctx.index.centre.services.find((s) => s.id === id)?.name[ctx.lang] ?? id);
			return levels.map((l) => [
				l.day,
				l.service,
				name(l.service),
				l.targetWaitMin,
				l.issued,
				l.called,
				l.served,
				l.noShows,
				l.cancelled,
				l.transferred,
				l.withinTarget,
				l.waitKnown,
				l.withinTargetCount,
				l.noShowShare,
				l.wait.meanS,
				l.wait.p90S,
				l.serviceTime.meanS,
				l.serviceTime.p90S,
			]);
		},
	},
	trends: {
		columns: () => [
			["початок", "from"],
			["викликано (візити)", "called (visits)"],
			["очікування середнє, с", "wait mean, s"],
			["очікування P90, с", "wait P90, s"],
			["обслуговано", "served"],
			["обслуговування середнє, с", "service mean, s"],
			["обслуговування P90, с", "service P90, s"],
			["у залі в середньому", "hall mean"],
			["у залі найбільше", "hall highest"],
			["оцінок", "ratings"],
			["середня оцінка", "mean rating"],
		],
		async rows(ctx) {
			const { rows } = await trendsOf(ctx.store, ctx.index, ctx.span, ctx.step);
			return rows.map((r) => [
				stamp(r.t, ctx),
				r.called,
				r.waitMeanS,
				r.waitP90S,
				r.served,
				r.serviceMeanS,
				r.serviceP90S,
				r.occupancyMean,
				r.occupancyMax,
				r.ratings,
				r.ratingMean,
			]);
		},
	},
	"best-times": {
		columns: () => [
			["день тижня", "weekday"],
			["година", "hour"],
			["оцінка", "label"],
			["очікування, хв", "wait, min"],
			["людей у залі", "people in the hall"],
			["частка місткості", "share of capacity"],
			["днів", "days"],
		],
		async rows(ctx) {
			const best = await ctx.hall.bestTimes(ctx.index.centre.id);
			return (best?.cells ?? []).map((c) => [c.weekday, c.hour, c.label, c.waitMin, c.load, c.loadShare, c.days]);
		},
	},
	alerts: {
		columns: () => [
			["ключ", "key"],
			["правило", "rule"],
			["важливість", "severity"],
			["повідомлення", "message"],
			["з", "since"],
			["піднято", "raised"],
			["знято", "resolved"],
			["значення", "value"],
			["поріг", "threshold"],
			["підтвердив", "acknowledged by"],
			["підтверджено", "acknowledged at"],
			["коментарі", "comments"],
		],
		rows: (ctx) =>
			ctx.journal.between(ctx.index.centre.id, ctx.span.fromTs, ctx.span.toTs).map((a) => alertRow(a, ctx)),
	},
	devices: {
		live: true,
		columns: () => [
			["вузол", "node"],
			["роль", "role"],
			["вікно", "window"],
			["зона", "zone"],
			["на звʼязку", "online"],
			["востаннє", "last seen"],
			["версія", "version"],
			["у черзі відправки", "outbox"],
			["температура CPU, °C", "CPU temperature, °C"],
		],
		rows: (ctx) =>
			(ctx.hall.devices(ctx.index.centre.id)?.devices ?? []).map((d) => [
				d.id,
				d.role,
				d.window,
				d.zone,
				d.online,
				stamp(d.lastSeen, ctx),
				d.version,
				d.buffered,
				d.cpuTempC,
			]),
	},
};

export const NETWORK_COLUMNS: Column[] = [
	["центр", "centre"],
	["назва", "name"],
	["відчинено", "open"],
	["очікують", "waiting"],
	["з них пільгових", "priority waiting"],
	["найдовше очікування, с", "longest wait, s"],
	["послуг понад норматив", "services over target"],
	["вікон працює", "windows open"],
	["вікон зайнято", "windows busy"],
	["вікон", "windows"],
	["у залі", "in the hall"],
	["місткість", "capacity"],
	["обслуговано", "served"],
	["оцінок", "ratings"],
	["середня оцінка", "mean rating"],
	["сповіщень", "alerts"],
	["критичних", "critical"],
];

export const networkCells = (r: NetworkRow, lang: Lang): Cell[] => [
	r.centre,
	r.name[lang],
	r.open,
	r.waiting,
	r.priorityWaiting,
	r.longestWaitS,
	r.overTarget,
	r.windowsOpen,
	r.windowsBusy,
	r.windows,
	r.occupancy,
	r.capacity,
	r.served,
	r.ratings,
	r.ratingMean,
	r.alerts,
	r.critical,
];

export const columnNames = (columns: readonly Column[], lang: Lang) =>
	columns.map((c) => (lang === "uk" ? c[0] : c[1]));
