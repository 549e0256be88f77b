/**
 * Command-line options of the dashboard's sign-in and /metrics, shared by `vikno hub` and
 * `vikno demo` (README, "Users and sign-in"): the metrics token, how long
 * sessions last. The environment is read here (VIKNO_METRICS_TOKEN), nowhere below.
 */
import type { HubOptions } from "../server/hub.ts";
import { UsageError } from "./options.ts";

export const DASHBOARD_CLI_OPTIONS = {
	"metrics-token": { type: "string" },
	"session-idle": { type: "string" },
	"session-max": { type: "string" },
} as const;

export const DASHBOARD_CLI_HELP = `Dashboard options (hub and demo):
  --metrics-token TOKEN   GET /metrics needs "Authorization: Bearer TOKEN" (also VIKNO_METRICS_TOKEN);
                          without one, /metrics answers loopback clients only
  --session-idle MIN      a session nobody uses ends after MIN minutes (default 30)
  --session-max HOURS     a session ends HOURS after sign-in at the latest (default 12)`;

/** Shortest metrics token: it stands between the network and the hub's figures. */
const MIN_TOKEN = 16;

type Values = { [K in keyof typeof DASHBOARD_CLI_OPTIONS]?: string | undefined };

export function dashboardSettings(
	v: Values,
	env: NodeJS.ProcessEnv = process.env,
): Pick<HubOptions, "metricsToken" | "sessionTimes"> {
	const out: Pick<HubOptions, "metricsToken" | "sessionTimes"> = {};
	const token = v["metrics-token"] ?? env.VIKNO_METRICS_TOKEN;
	if (token !== undefined) {
		if (token.length < MIN_TOKEN || /\s/.test(token))
			throw new UsageError(
				`--metrics-token must be at least ${MIN_TOKEN} characters without spaces (e.g. openssl rand -hex 24)`,
			);
		out.metricsToken = token;
	}
	const positive = (name: string, value: string | undefined, unitMs: number) => {
		if (value === undefined) return undefined;
		const n = Number(value);
		if (!(n > 0 && n <= 10_000)) throw new UsageError(`--${name} must be a number above 0, got "${value}"`);
		return n * unitMs;
	};
	const idleMs = positive("session-idle", v["session-idle"], 60_000);
	const maxMs = positive("session-max", v["session-max"], 3_600_000);
	if (idleMs !== undefined || maxMs !== undefined)
		out.sessionTimes = { ...(idleMs ? { idleMs } : {}), ...(maxMs ? { maxMs } : {}) };
	return out;
}
