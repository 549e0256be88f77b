/**
 * Local day and hour of a timestamp in one time zone, cached per quarter hour: every zone's offset
 * is a multiple of 15 minutes and changes on a quarter hour, so all instants of one UTC quarter
 * hour share their local day and hour. Keeps luxon off the per-row write path.
 */
import { DateTime } from "luxon";

const QUARTER = 900_000;

export interface LocalTime {
	/** "2026-03-29" */
	day: string;
	/** 0..23 */
	hour: number;
}

export class LocalCalendar {
	private readonly cache = new Map<number, LocalTime>();

	constructor(readonly timeZone: string) {
		if (!DateTime.now().setZone(timeZone).isValid) throw new Error(`unknown time zone "${timeZone}"`);
	}

	at(ts: number): LocalTime {
		const slot = Math.floor(ts / QUARTER);
		let t = this.cache.get(slot);
		if (!t) {
			const d = DateTime.fromMillis(slot * QUARTER, { zone: this.timeZone });
			t = { day: d.toISODate() ?? "", hour: d.hour };
			if (this.cache.size > 50_000) this.cache.clear();
			this.cache.set(slot, t);
		}
		return t;
	}

	/** Epoch ms of local midnight starting `day` ("2026-03-29"). */
	midnight(day: string): number {
		return DateTime.fromISO(day, { zone: this.timeZone }).toMillis();
	}
}
