import { describe, expect, it } from "vitest";
import { BOM, csvCell, parseCsv, toCsv } from "../../dashboard/csv.ts";

describe("CSV", () => {
	it.each([
		[null, ""],
		[undefined, ""],
		[42, "42"],
		[0.125, "0.125"],
		[-3, "-3"],
		[Number.NaN, ""],
		[true, "true"],
		["Паспорти", "Паспорти"],
		["a, b", '"a, b"'],
		['say "hi"', '"say ""hi"""'],
		["two\nlines", '"two\nlines"'],
		["=HYPERLINK(1)", "'=HYPERLINK(1)"],
		["-1+1", "'-1+1"],
		["@SUM(A1)", "'@SUM(A1)"],
	])("%j → %j", (value, cell) => {
		expect(csvCell(value)).toBe(cell);
	});

	it("starts with the byte-order mark, ends lines with CRLF, and reads back", () => {
		const text = toCsv(
			["послуга", "у черзі"],
			[
				["Реєстрація (ФОП, юридичні особи)", 3],
				['"лапки"', null],
			],
		);
		expect(text.startsWith(BOM)).toBe(true);
		expect(Buffer.from(text, "utf8").subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
		expect(text.endsWith("\r\n")).toBe(true);
		expect(text.split("\r\n")).toHaveLength(4);
		expect(parseCsv(text)).toEqual([
			["послуга", "у черзі"],
			["Реєстрація (ФОП, юридичні особи)", "3"],
			['"лапки"', ""],
		]);
	});
});
