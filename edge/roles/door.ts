/**
 * Door node: two beams give the direction of each passage; `in`/`out` increments are published
 * at most every `publishEveryS` and only when non-zero. (A direct `count` source reaches the node
 * through the local bridge instead.) Increments not yet published live in memory for at most
 * that period.
 */
import type { DoorRole } from "../config.ts";
import { type DirectionState, IDLE, onBeamBroken } from "../direction.ts";
import type { Role, RoleContext } from "./role.ts";

export function doorRole(ctx: RoleContext, cfg: DoorRole): Role {
	let dir: DirectionState = IDLE;
	let ins = 0;
	let outs = 0;
	const flush = () => {
		if (ins === 0 && outs === 0) return;
		const id = ctx.emit("occupancy", { zone: cfg.zone, in: ins, out: outs });
		if (id) {
			ins = 0;
			outs = 0;
		}
	};
	const timer = setInterval(flush, cfg.publishEveryS * 1000);
	timer.unref();
	const inputs: Role["inputs"] = {};
	if (cfg.beams) {
		for (const beam of ["outer", "inner"] as const) {
			inputs[cfg.beams[beam]] = (active) => {
				if (!active) return;
				const r = onBeamBroken(dir, beam, ctx.now(), cfg.pairWindowMs);
				dir = r.state;
				if (r.passage === "in") ins++;
				else if (r.passage === "out") outs++;
			};
		}
	}
	return {
		inputs,
		close() {
			clearInterval(timer);
			flush();
		},
	};
}
