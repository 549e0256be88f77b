/**
 * The local clock of each centre (core/time.ts), from the zones of the centre files the hub
 * passes: a SQLite row's `local_day` and `local_hour` are its centre's. One clock per zone.
 */
import { DEFAULT_TIME_ZONE } from "../core/centre.ts";
import { type LocalClock, localClock } from "../core/time.ts";

/** The local clock of each centre's zone, one per zone. */
export class CentreClocks {
	private readonly byZone = new Map<string, LocalClock>();
	private readonly byCentre = new Map<string, LocalClock>();

	constructor(private readonly timeZones: Readonly<Record<string, string>> = {}) {
		for (const [centre, zone] of Object.entries(timeZones)) this.byCentre.set(centre, this.zone(zone));
	}

	/** The clock of a time zone. */
	zone(timeZone: string): LocalClock {
		let c = this.byZone.get(timeZone);
		if (!c) {
			c = localClock(timeZone);
			this.byZone.set(timeZone, c);
		}
		return c;
	}

	/** The clock of a centre's zone. */
	of(centre: string): LocalClock {
		let c = this.byCentre.get(centre);
		if (!c) {
			c = this.zone(this.timeZones[centre] ?? DEFAULT_TIME_ZONE);
			this.byCentre.set(centre, c);
		}
		return c;
	}
}
