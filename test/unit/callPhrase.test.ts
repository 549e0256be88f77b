import { describe, expect, it } from "vitest";
import { callPhrase, numberWords, ticketWords, windowNumber } from "../../core/callPhrase.ts";

describe("numberWords", () => {
	it.each([
		[0, "нуль"],
		[1, "один"],
		[7, "сім"],
		[10, "десять"],
		[11, "одинадцять"],
		[17, "сімнадцять"],
		[20, "двадцять"],
		[21, "двадцять один"],
		[45, "сорок пʼять"],
		[99, "девʼяносто девʼять"],
		[100, "сто"],
		[101, "сто один"],
		[112, "сто дванадцять"],
		[240, "двісті сорок"],
		[999, "девʼятсот девʼяносто девʼять"],
		[1000, "одна тисяча"],
		[2005, "дві тисячі пʼять"],
		[5300, "пʼять тисяч триста"],
		[9999, "девʼять тисяч девʼятсот девʼяносто девʼять"],
	])("%i → %s", (n, words) => expect(numberWords(n)).toBe(words));

	it("refuses what it cannot read", () => {
		expect(() => numberWords(-1)).toThrow(RangeError);
		expect(() => numberWords(10_000)).toThrow(RangeError);
		expect(() => numberWords(1.5)).toThrow(RangeError);
	});
});

describe("ticketWords", () => {
	it.each([
		["A017", "А сімнадцять"],
		["A001", "А один"],
		["A000", "А нуль"],
		["B120", "Бе сто двадцять"],
		["C5", "Це пʼять"],
		["AB12", "А Бе дванадцять"],
		["W3", "Дубль-ве три"],
		["a017", "А сімнадцять"],
		["123", "сто двадцять три"],
		["A-1", "A-1"],
	])("%s → %s", (ticket, words) => expect(ticketWords(ticket)).toBe(words));
});

describe("windowNumber and callPhrase", () => {
	it.each([
		["w07", undefined, 7],
		["w12", "Пріоритетне вікно", 12],
		["desk", "Вікно 3", 3],
		["desk", "Каса", undefined],
	])("window %s (%s) → %s", (id, name, n) => expect(windowNumber(id, name)).toBe(n));

	it("says the issue's example", () => {
		expect(callPhrase("A017", { id: "w07" })).toBe("Талон А сімнадцять, вікно сім");
		expect(callPhrase("A017", { id: "w07" }, "en")).toBe("Ticket A017, window 7");
		expect(callPhrase("D102", { id: "desk", name: "Каса" })).toBe("Талон Де сто два, Каса");
	});
});
