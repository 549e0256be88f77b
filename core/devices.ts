/**
 * A centre's devices as an IT administrator looks at them: every configured node with its role,
 * its window or zone, and what its retained status said last — online, when, version, outbox
 * depth, temperature. Offline nodes first (those need a person), then by id. Pure: the live
 * state and `now` are passed in.
 */
import Type, { type Static } from "typebox";
import type { CentreIndex } from "./centre.ts";
import type { LiveState } from "./live.ts";
import { Count, EpochMs, orNull } from "./schemaParts.ts";

export const DeviceView = Type.Object({
	id: Type.String(),
	role: Type.String({ description: "window | terminal | door" }),
	window: orNull(Type.String()),
	zone: orNull(Type.String()),
	online: Type.Boolean(),
	/** Never heard of since the hub started (no status, no Will): not the same as offline a while. */
	seen: Type.Boolean({ description: "False when the hub has never had a status of the node" }),
	lastSeen: orNull(EpochMs),
	version: orNull(Type.String()),
	buffered: orNull(Count),
	cpuTempC: orNull(Type.Number()),
});

export const Devices = Type.Object(
	{ centre: Type.String(), at: EpochMs, devices: Type.Array(DeviceView) },
	{ description: "A centre's nodes, offline first: role, window or zone, status" },
);

export type DeviceView = Static<typeof DeviceView>;
export type Devices = Static<typeof Devices>;

export function deviceList(state: LiveState, index: CentreIndex, now: number): Devices {
	const devices = index.centre.nodes.map((n): DeviceView => {
		const l = state.nodes.get(n.id);
		return {
			id: n.id,
			role: n.role,
			window: n.window ?? null,
			zone: n.zone ?? null,
			online: l?.online ?? false,
			seen: l !== undefined,
			lastSeen: l?.lastSeen ?? null,
			version: l?.version ?? null,
			buffered: l?.buffered ?? null,
			cpuTempC: l?.cpuTempC ?? null,
		};
	});
	devices.sort((a, b) => Number(a.online) - Number(b.online) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return { centre: index.centre.id, at: now, devices };
}
