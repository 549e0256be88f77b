/**
 * Checks of a centre layout beyond what its schema can say: unique ids and ticket prefixes,
 * references between services, windows, zones and nodes, opening intervals in order, real
 * holiday dates, a known time zone. Pure; the config loader reports these with file positions.
 */
import { type Centre, DEFAULT_TIME_ZONE } from "./centre.ts";
import { isDate, isTimeZone, readInterval, WEEKDAYS } from "./time.ts";

/** A problem found in a centre beyond what the schema can say (cross references, duplicates). */
export interface LayoutProblem {
	path: string;
	message: string;
}

/** Cross-reference checks: ids unique, windows serve known services, nodes point at known windows/zones. */
export function checkLayout(c: Centre): LayoutProblem[] {
	const problems: LayoutProblem[] = [];
	const unique = (list: { id: string }[], where: string) => {
		const seen = new Map<string, number>();
		list.forEach((item, i) => {
			const first = seen.get(item.id);
			if (first !== undefined) {
				problems.push({
					path: `/${where}/${i}/id`,
					message: `duplicate id "${item.id}" (first at /${where}/${first})`,
				});
			} else seen.set(item.id, i);
		});
		return seen;
	};
	const services = unique(c.services, "services");
	const windows = unique(c.windows, "windows");
	const zones = unique(c.zones, "zones");
	unique(c.nodes, "nodes");
	const prefixes = new Map<string, string>();
	c.services.forEach((s, i) => {
		const other = prefixes.get(s.prefix);
		if (other)
			problems.push({
				path: `/services/${i}/prefix`,
				message: `prefix "${s.prefix}" is also used by service "${other}"`,
			});
		else prefixes.set(s.prefix, s.id);
	});
	c.windows.forEach((w, i) => {
		w.services.forEach((s, j) => {
			if (!services.has(s)) problems.push({ path: `/windows/${i}/services/${j}`, message: `unknown service "${s}"` });
		});
	});
	const windowNodes = new Map<string, string>();
	c.nodes.forEach((n, i) => {
		if (n.role === "window") {
			if (!n.window) problems.push({ path: `/nodes/${i}`, message: `a window node needs "window"` });
			else if (!windows.has(n.window))
				problems.push({ path: `/nodes/${i}/window`, message: `unknown window "${n.window}"` });
			else if (windowNodes.has(n.window)) {
				problems.push({
					path: `/nodes/${i}/window`,
					message: `window "${n.window}" already has node "${windowNodes.get(n.window)}"`,
				});
			} else windowNodes.set(n.window, n.id);
		}
		if (n.role === "door") {
			if (!n.zone) problems.push({ path: `/nodes/${i}`, message: `a door node needs "zone"` });
			else if (!zones.has(n.zone)) problems.push({ path: `/nodes/${i}/zone`, message: `unknown zone "${n.zone}"` });
		}
	});
	for (const d of WEEKDAYS) intervalProblems(c.hours[d], `/hours/${d}`, problems);
	const dates = new Map<string, number>();
	(c.holidays ?? []).forEach((h, i) => {
		const first = dates.get(h.date);
		if (first !== undefined)
			problems.push({ path: `/holidays/${i}/date`, message: `date "${h.date}" is also listed at /holidays/${first}` });
		else dates.set(h.date, i);
		if (!isDate(h.date))
			problems.push({ path: `/holidays/${i}/date`, message: `"${h.date}" is not a date of the calendar` });
		intervalProblems(h.hours, `/holidays/${i}/hours`, problems);
	});
	const administrators = new Map<string, number>();
	(c.administrators ?? []).forEach((a, i) => {
		const first = administrators.get(a.id);
		if (first !== undefined)
			problems.push({
				path: `/administrators/${i}/id`,
				message: `duplicate id "${a.id}" (first at /administrators/${first})`,
			});
		else administrators.set(a.id, i);
		(a.windows ?? []).forEach((w, j) => {
			if (!windows.has(w))
				problems.push({ path: `/administrators/${i}/windows/${j}`, message: `unknown window "${w}"` });
		});
	});
	if (!isTimeZone(c.timeZone))
		problems.push({
			path: "/timeZone",
			message: `unknown time zone "${c.timeZone}" (use an IANA name such as ${DEFAULT_TIME_ZONE})`,
		});
	return problems;
}

/** A day's intervals each a real interval (core/time.ts), in order and without overlap. */
function intervalProblems(intervals: readonly string[], path: string, problems: LayoutProblem[]): void {
	let previous: { text: string; to: number } | undefined;
	intervals.forEach((text, i) => {
		const r = readInterval(text);
		if (!r.ok) {
			problems.push({ path: `${path}/${i}`, message: r.message });
			return;
		}
		if (previous && r.interval.from < previous.to) {
			problems.push({
				path: `${path}/${i}`,
				message: `interval "${text}" starts before the previous one "${previous.text}" ends (list a day's intervals in order, without overlap)`,
			});
		}
		previous = { text, to: r.interval.to };
	});
}
