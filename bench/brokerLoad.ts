/**
 * The broker benchmark's load, in a process of its own (bench/broker.ts starts it once per
 * broker): one MQTT.js publisher, QoS 1, and one subscriber. Saturation: `WINDOW` publishes
 * awaiting PUBACK at a time until the subscriber has all `SATURATION_MESSAGES`; then latency
 * publish → delivery at a steady `PACED_RATE`. Prints one JSON line with the figures and the CPU
 * this process used while saturating (near 100 % of a core: the generator is the limit).
 *
 *   node --import tsx bench/brokerLoad.ts '{"url":…,"publisher":{…},"subscriber":{…},"filter":…}'
 */
import mqtt, { type IClientOptions } from "mqtt";

export const SATURATION_MESSAGES = 20_000;
export const WINDOW = 100;
export const PACED_RATE = 2_000;
const PACED_SECONDS = 3;
const TOPIC = "vikno/v1/demo/win-01/rating";
const BODY = JSON.stringify({ id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", ts: 0, score: 5 });

export interface Measured {
	msgsPerS: number;
	p50Ms: number;
	p99Ms: number;
	delivered: number;
	expected: number;
	/** CPU of this process while saturating, % of one core. */
	loadCpuPct: number;
}

interface Job {
	url: string;
	publisher: IClientOptions;
	subscriber: IClientOptions;
	filter: string;
}

const open = (url: string, o: IClientOptions) =>
	mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, keepalive: 60, ...o });

async function measure(job: Job): Promise<Measured> {
	const sub = await open(job.url, job.subscriber);
	const pub = await open(job.url, job.publisher);
	await sub.subscribeAsync(job.filter, { qos: 0 });

	let got = 0;
	let allIn: () => void = () => {};
	sub.on("message", () => {
		got++;
		if (got === SATURATION_MESSAGES) allIn();
	});
	const delivered = new Promise<void>((resolve) => {
		allIn = resolve;
	});
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	let sent = 0;
	const lane = async () => {
		while (sent < SATURATION_MESSAGES) {
			sent++;
			await pub.publishAsync(TOPIC, BODY, { qos: 1 });
		}
	};
	await Promise.all(Array.from({ length: WINDOW }, lane));
	await delivered;
	const elapsedMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	const msgsPerS = Math.round(SATURATION_MESSAGES / (elapsedMs / 1000));
	const loadCpuPct = Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10;
	sub.removeAllListeners("message");

	// Latency at a fixed rate: the payload carries its send time.
	const latencies: number[] = [];
	sub.on("message", (_topic, body) => {
		const sentAt = Number(JSON.parse(body.toString()).sent);
		latencies.push(performance.now() - sentAt);
	});
	const total = PACED_RATE * PACED_SECONDS;
	const start = performance.now();
	for (let i = 0; i < total; i++) {
		const due = start + (i * 1000) / PACED_RATE;
		const wait = due - performance.now();
		if (wait > 1) await new Promise((r) => setTimeout(r, wait));
		pub.publish(TOPIC, JSON.stringify({ sent: performance.now(), score: 5 }), { qos: 1 });
	}
	const deadline = Date.now() + 10_000;
	while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
	latencies.sort((a, b) => a - b);
	const at = (q: number) =>
		Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) / 100;
	await Promise.all([pub.endAsync(true), sub.endAsync(true)]);
	return { msgsPerS, p50Ms: at(0.5), p99Ms: at(0.99), delivered: latencies.length, expected: total, loadCpuPct };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const job = JSON.parse(process.argv[2] ?? "{}") as Job;
	console.log(JSON.stringify(await measure(job)));
}
