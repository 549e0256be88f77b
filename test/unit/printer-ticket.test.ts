import { describe, expect, it } from "vitest";
import { ticketToken, verifyTicketToken } from "../../core/ticketToken.ts";
import { EscPos, encode1251 } from "../../edge/printer/escpos.ts";
import { ticketBytes } from "../../edge/printer/ticket.ts";
import { decodeEscPos, texts } from "../fixtures/escpos.ts";

// 2026-12-07 09:05 in Kyiv (UTC+2).
const AT = Date.UTC(2026, 11, 7, 7, 5);

describe("ESC/POS encoder", () => {
	it("writes every Ukrainian letter in Windows-1251 and reads back the same", () => {
		const text = "ЦНАП «Віза»: Ґґ Єє Іі Її Щщ Ьь — № 7";
		const d = decodeEscPos(new EscPos().line(text).bytes());
		expect(d.codeTable).toBe(46);
		expect(texts(d)).toEqual([text]);
	});

	it("prints what the table lacks as ?", () => {
		expect(encode1251("A😀")).toEqual([0x41, 0x3f]);
	});

	it("stores a QR code's data in clear with the length in two bytes", () => {
		const long = `https://cnap.example.org/${"x".repeat(300)}`;
		const bytes = new EscPos().qr(long).bytes();
		expect(decodeEscPos(bytes).qr).toEqual([long]);
		// GS ( k pL pH 49 80 48 data: pL/pH = data length + 3
		const at = bytes.findIndex((_, i) => bytes[i] === 0x1d && bytes[i + 5] === 0x31 && bytes[i + 6] === 0x50);
		expect((bytes[at + 3] as number) | ((bytes[at + 4] as number) << 8)).toBe(long.length + 3);
	});
});

describe("the printed ticket", () => {
	const key = "terminal-key-0123456789abcdefgh";
	const link = `https://cnap.example.org/c/demo/t/A017?k=${ticketToken(key, "demo", "2026-12-07", "A017")}`;

	it("shows the centre, service, number in large type, date and time, people ahead, the estimate, and the QR link", () => {
		const d = decodeEscPos(
			ticketBytes({
				centreName: "ЦНАП «Віза»",
				serviceName: "Паспорти та ID-картки",
				ticket: "A017",
				at: AT,
				timeZone: "Europe/Kyiv",
				ahead: 4,
				estimate: { low: 12.4, high: 27.2 },
				link,
			}),
		);
		expect(texts(d)).toEqual([
			"ЦНАП «Віза»",
			"Паспорти та ID-картки",
			"A017",
			"07.12.2026  09:05",
			"Перед вами: 4",
			"Очікування: 12–28 хв",
			"Стежте за чергою та оцініть візит",
		]);
		const number = d.lines.find((l) => l.text === "A017");
		expect(number).toMatchObject({ width: 4, height: 4, bold: true, align: "center" });
		expect(d.qr).toEqual([link]);
		expect(d.cuts).toBe(1);
		const token = new URL(d.qr[0] as string).searchParams.get("k") ?? "";
		expect(verifyTicketToken(key, "demo", "2026-12-07", "A017", token)).toBe(true);
	});

	it("prints without the hub's figures and without a QR code when it has neither", () => {
		const d = decodeEscPos(
			ticketBytes({
				centreName: "ЦНАП",
				serviceName: "passports",
				ticket: "P003",
				priority: "military",
				at: AT,
				timeZone: "Europe/Kyiv",
			}),
		);
		expect(texts(d)).toEqual([
			"ЦНАП",
			"passports",
			"P003",
			"Пільгова черга: military",
			"07.12.2026  09:05",
			"Стежте за табло в залі",
		]);
		expect(d.qr).toEqual([]);
	});
});
