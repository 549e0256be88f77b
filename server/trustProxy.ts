/**
 * `--trust-proxy ADDR…`: the reverse proxies (nginx) whose `X-Forwarded-For` the hub believes.
 * A request's client is the address the connection came from — unless that is a listed proxy,
 * then the address the proxy put last in `X-Forwarded-For`, and so on leftwards while that too is
 * a listed proxy (the rule of fastify's `trustProxy` and of nginx's `real_ip_recursive`). A
 * header from anyone else is ignored, so a client cannot choose its own address for the public
 * API's limit. The same rule gives the address of an MQTT-over-WebSocket client behind the proxy.
 */
import { BlockList, isIP } from "node:net";

export class TrustProxyError extends Error {}

/** Is `address` (as a socket reports it) one of the trusted proxies? */
export type TrustProxy = (address: string) => boolean;

/** `::ffff:10.0.0.1` → `10.0.0.1` (a dual-stack socket's IPv4 peer). */
export function plainAddress(address: string): string {
	return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * A predicate from a list of addresses and CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`,
 * `fd00::/8`); entries may also be given comma-separated. Throws TrustProxyError naming a bad entry.
 */
export function trustProxy(entries: readonly string[]): TrustProxy {
	const list = new BlockList();
	for (const entry of entries.flatMap((e) => e.split(/[\s,]+/)).filter(Boolean)) {
		const [address = "", prefix, ...rest] = entry.split("/");
		const family = isIP(address);
		const bits = prefix === undefined ? undefined : Number(prefix);
		const max = family === 4 ? 32 : 128;
		if (
			family === 0 ||
			rest.length > 0 ||
			(bits !== undefined && (!/^\d+$/.test(prefix ?? "") || (bits as number) > max))
		)
			throw new TrustProxyError(
				`--trust-proxy: "${entry}" is not an IP address or a CIDR range (e.g. 127.0.0.1, 10.0.0.0/8)`,
			);
		const type = family === 4 ? "ipv4" : "ipv6";
		if (bits === undefined) list.addAddress(address, type);
		else list.addSubnet(address, bits, type);
	}
	return (address) => {
		const plain = plainAddress(address);
		const family = isIP(plain);
		return family !== 0 && list.check(plain, family === 4 ? "ipv4" : "ipv6");
	};
}

/**
 * The client's address: the peer, or — while the hop is a trusted proxy — the next address from
 * the right of `X-Forwarded-For` (several headers count as one list, in order).
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, trusted: TrustProxy): string {
	let client = plainAddress(peer);
	if (!forwardedFor || !trusted(client)) return client;
	const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
		.split(",")
		.map((h) => h.trim())
		.filter(Boolean);
	while (hops.length > 0 && trusted(client)) {
		const next = plainAddress(hops.pop() as string);
		if (isIP(next) === 0) break;
		client = next;
	}
	return client;
}
