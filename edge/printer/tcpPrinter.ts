/**
 * A network printer on raw TCP port 9100 (JetDirect): one connection per ticket. The state comes
 * from the printer itself with ESC/POS real-time status requests (DLE EOT n, Epson's reference):
 * n=2 offline cause (bit 2: cover open), n=4 roll paper sensor (bits 5 and 6: paper end). No
 * answer within the timeout is `offline`.
 */
import { connect, type Socket } from "node:net";
import type { Printer, PrinterState } from "./printer.ts";

const DLE = 0x10;
const EOT = 0x04;

export class TcpPrinter implements Printer {
	constructor(
		readonly host: string,
		readonly port = 9100,
		private readonly timeoutMs = 2_000,
	) {}

	private connect(): Promise<Socket> {
		return new Promise((resolve, reject) => {
			const s = connect({ host: this.host, port: this.port, noDelay: true });
			const t = setTimeout(() => {
				s.destroy();
				reject(new Error(`printer ${this.host}:${this.port}: no connection within ${this.timeoutMs} ms`));
			}, this.timeoutMs);
			s.once("connect", () => {
				clearTimeout(t);
				resolve(s);
			});
			s.once("error", (err) => {
				clearTimeout(t);
				reject(err);
			});
		});
	}

	async print(bytes: Uint8Array): Promise<void> {
		const s = await this.connect();
		await new Promise<void>((resolve, reject) => {
			s.once("error", reject);
			s.end(bytes, () => resolve());
		});
	}

	async state(): Promise<PrinterState> {
		let s: Socket;
		try {
			s = await this.connect();
		} catch {
			return "offline";
		}
		try {
			const ask = (n: number) =>
				new Promise<number>((resolve, reject) => {
					const t = setTimeout(() => reject(new Error("no status")), this.timeoutMs);
					s.once("data", (d: Buffer) => {
						clearTimeout(t);
						resolve(d[0] ?? 0);
					});
					s.write(Uint8Array.of(DLE, EOT, n));
				});
			const offline = await ask(2);
			if (offline & 0x04) return "cover_open";
			const paper = await ask(4);
			if (paper & 0x60) return "paper_out";
			return "ok";
		} catch {
			return "offline";
		} finally {
			s.destroy();
		}
	}

	async close(): Promise<void> {}
}
