/**
 * What the manager dashboard needs from the hub beyond the live halls: the alert journal
 * (store/alertJournal.ts) fed with every change of a centre's active alerts, listeners that hear
 * those changes and acknowledgements (the stream's `alerts` event), and each centre's devices
 * from the live model.
 */
import type { CentreIndex } from "../core/centre.ts";
import { deviceList } from "../core/devices.ts";
import type { HubStateOf } from "../core/hubState.ts";
import type { Log } from "../core/log.ts";
import type { AlertJournalSource, HallSource } from "../dashboard/sources.ts";
import type { LiveHub } from "../hub/liveHub.ts";
import { AlertJournal, alertsPath } from "../store/alertJournal.ts";

export interface ManagerSides {
	journal: AlertJournal;
	/** The journal as the dashboard uses it: an acknowledgement is heard by the alert listeners. */
	source: AlertJournalSource;
	/** Record a centre's active set as the hub publishes it (`$hub/alerts`), and tell the listeners. */
	alertsChanged(state: HubStateOf["alerts"]): void;
	onAlerts: HallSource["onAlerts"];
	devices: HallSource["devices"];
}

export function managerSides(opts: {
	dataDir: string;
	centres: ReadonlyMap<string, CentreIndex>;
	live: LiveHub;
	now: () => number;
	log: Log;
}): ManagerSides {
	const journal = new AlertJournal(alertsPath(opts.dataDir));
	journal.prune(opts.now());
	const listeners = new Set<(centre: string) => void>();
	const tell = (centre: string) => {
		for (const l of listeners) l(centre);
	};
	return {
		journal,
		source: {
			open: (centre) => journal.open(centre),
			between: (centre, fromTs, toTs) => journal.between(centre, fromTs, toTs),
			acknowledge(centre, id, ack) {
				const record = journal.acknowledge(centre, id, ack);
				if (record) tell(centre);
				return record;
			},
		},
		alertsChanged(state) {
			// A journal that cannot write (a full disk) must not stop the alerts themselves: they are
			// published and shown; the next change that can be written brings the journal up to date.
			try {
				journal.record(state.centre, state.at, state.alerts);
			} catch (err) {
				opts.log.error({ err, centre: state.centre }, "alert journal: could not record the active alerts");
			}
			tell(state.centre);
		},
		onAlerts(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		devices(centre) {
			const state = opts.live.state(centre);
			const index = opts.centres.get(centre);
			return state && index ? deviceList(state, index, opts.now()) : undefined;
		},
	};
}
