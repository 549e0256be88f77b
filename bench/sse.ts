/**
 * A Server-Sent Events reader for the benches, as a browser's EventSource reads
 * `/api/v1/stream`: one HTTP request with the session cookie, the text/event-stream parsed into
 * events (`event:`, `data:` lines, a blank line ends one; HTML Living Standard §9.2.6), each handed
 * on with the time it arrived (`performance.now()`, the caller's clock).
 */
import { request } from "node:http";

export interface StreamEvent {
	event: string;
	data: string;
	/** performance.now() when the chunk that completed it arrived. */
	at: number;
}

export interface Stream {
	/** Resolves once the answer's headers are in (rejects on a status other than 200). */
	opened: Promise<void>;
	close(): void;
}

export function openStream(url: URL, cookie: string, onEvent: (e: StreamEvent) => void): Stream {
	const req = request(url, { headers: { cookie, accept: "text/event-stream" } });
	let buffer = "";
	const dispatch = (block: string, at: number) => {
		let event = "message";
		const data: string[] = [];
		for (const line of block.split("\n")) {
			if (line.startsWith(":")) continue;
			const colon = line.indexOf(":");
			const field = colon < 0 ? line : line.slice(0, colon);
			const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
			if (field === "event") event = value;
			else if (field === "data") data.push(value);
		}
		if (data.length) onEvent({ event, data: data.join("\n"), at });
	};
	const opened = new Promise<void>((resolve, reject) => {
		req.on("response", (res) => {
			if (res.statusCode !== 200) {
				reject(new Error(`stream ${url.pathname}${url.search}: HTTP ${res.statusCode}`));
				res.resume();
				return;
			}
			res.setEncoding("utf8");
			res.on("error", () => {}); // the reader closed it
			res.on("data", (chunk: string) => {
				const at = performance.now();
				buffer += chunk.replaceAll("\r\n", "\n");
				for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
					dispatch(buffer.slice(0, end), at);
					buffer = buffer.slice(end + 2);
				}
			});
			resolve();
		});
		req.on("error", (err) => {
			if (!req.destroyed) reject(err);
		});
	});
	req.end();
	return { opened, close: () => req.destroy() };
}
