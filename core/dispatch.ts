/**
 * The hub's dispatcher: which waiting ticket a window should call when its administrator presses
 * "next" (the seeds' "automatic distribution to a free administrator by direction").
 * Pure: the live queue and the set of tickets already handed out are arguments.
 *
 * Policy, in order:
 * 1. only tickets of services the window serves, never one already taken by another window;
 * 2. priority tickets (IDPs, service members, veterans, families of fallen defenders — the
 *    Oleksandriia plan, item 11) before regular ones, at every desk;
 * 3. a priority desk serves any priority ticket of its services before a regular desk's turn
 *    would — and, when no priority ticket waits, it takes regular tickets like any desk;
 * 4. oldest first (`issuedAt`), ties broken by ticket text so the result is deterministic.
 */

export interface WaitingTicket {
	ticket: string;
	service: string;
	/** Priority category (e.g. `idp`, `military`, `veteran`, `family`); absent for a regular ticket. */
	priority?: string | undefined;
	/** Epoch ms when the ticket was issued. */
	issuedAt: number;
}

export interface Desk {
	id: string;
	services: readonly string[];
	/** A priority desk (DOMAIN.md: separate desks for priority categories). */
	priority: boolean;
}

function before(a: WaitingTicket, b: WaitingTicket): boolean {
	const pa = a.priority ? 0 : 1;
	const pb = b.priority ? 0 : 1;
	if (pa !== pb) return pa < pb;
	if (a.issuedAt !== b.issuedAt) return a.issuedAt < b.issuedAt;
	return a.ticket < b.ticket;
}

/** The ticket `desk` should call next, or null when nobody it serves is waiting. */
export function pickNext(
	queue: readonly WaitingTicket[],
	desk: Desk,
	taken: ReadonlySet<string>,
): WaitingTicket | null {
	const serves = new Set(desk.services);
	let best: WaitingTicket | null = null;
	for (const t of queue) {
		if (!serves.has(t.service) || taken.has(t.ticket)) continue;
		if (best === null || before(t, best)) best = t;
	}
	return best;
}

export interface Assignment {
	desk: string;
	ticket: WaitingTicket | null;
}

/**
 * Answer several "next" requests that arrived together, in arrival order, so no two desks get
 * the same ticket. When a priority desk and a regular desk ask at the same moment, the priority
 * desk answers first (rule 3), leaving regular tickets to the regular desk.
 */
export function assignAll(
	queue: readonly WaitingTicket[],
	desks: readonly Desk[],
	taken: ReadonlySet<string> = new Set(),
): Assignment[] {
	const used = new Set(taken);
	const order = desks
		.map((d, i) => ({ d, i }))
		.sort((a, b) => Number(b.d.priority) - Number(a.d.priority) || a.i - b.i);
	const out: Assignment[] = new Array(desks.length);
	for (const { d, i } of order) {
		const t = pickNext(queue, d, used);
		if (t) used.add(t.ticket);
		out[i] = { desk: d.id, ticket: t };
	}
	return out;
}
