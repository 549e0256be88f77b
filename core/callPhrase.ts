/**
 * What the hall board says for a call: "Талон А сімнадцять, вікно сім" — the ticket's letters as
 * Ukrainian readers say the Latin prefix letters printed on tickets, its number in words (leading
 * zeros are not read), and the window's number in words. Pure; the hub renders the phrase to audio
 * (server/speech.ts) and the board shows the text beside it.
 */

/** How each Latin prefix letter is read aloud in Ukrainian (tickets carry Latin A–Z, core/centre.ts). */
const LETTERS: Record<string, string> = {
	A: "А",
	B: "Бе",
	C: "Це",
	D: "Де",
	E: "Е",
	F: "Еф",
	G: "Ге",
	H: "Аш",
	I: "І",
	J: "Йот",
	K: "Ка",
	L: "Ель",
	M: "Ем",
	N: "Ен",
	O: "О",
	P: "Пе",
	Q: "Ку",
	R: "Ер",
	S: "Ес",
	T: "Те",
	U: "У",
	V: "Ве",
	W: "Дубль-ве",
	X: "Ікс",
	Y: "Ігрек",
	Z: "Зет",
};

const UNITS = ["нуль", "один", "два", "три", "чотири", "пʼять", "шість", "сім", "вісім", "девʼять"];
const TEENS = [
	"десять",
	"одинадцять",
	"дванадцять",
	"тринадцять",
	"чотирнадцять",
	"пʼятнадцять",
	"шістнадцять",
	"сімнадцять",
	"вісімнадцять",
	"девʼятнадцять",
];
const TENS = [
	"",
	"",
	"двадцять",
	"тридцять",
	"сорок",
	"пʼятдесят",
	"шістдесят",
	"сімдесят",
	"вісімдесят",
	"девʼяносто",
];
const HUNDREDS = ["", "сто", "двісті", "триста", "чотириста", "пʼятсот", "шістсот", "сімсот", "вісімсот", "девʼятсот"];
const THOUSANDS = ["", "одна тисяча", "дві тисячі", "три тисячі", "чотири тисячі", "пʼять тисяч", "шість тисяч"];

/** 0 ≤ n ≤ 9999 in Ukrainian words, masculine (a ticket's, a window's number): 17 → "сімнадцять". */
export function numberWords(n: number): string {
	if (!Number.isInteger(n) || n < 0 || n > 9999) throw new RangeError(`numberWords: ${n} is not an integer 0..9999`);
	if (n === 0) return UNITS[0] as string;
	const words: string[] = [];
	const th = Math.floor(n / 1000);
	if (th > 0) words.push(th < THOUSANDS.length ? (THOUSANDS[th] as string) : thousands(th));
	const h = Math.floor((n % 1000) / 100);
	if (h > 0) words.push(HUNDREDS[h] as string);
	const rest = n % 100;
	if (rest >= 10 && rest < 20) words.push(TEENS[rest - 10] as string);
	else {
		if (rest >= 20) words.push(TENS[Math.floor(rest / 10)] as string);
		if (rest % 10 > 0) words.push(UNITS[rest % 10] as string);
	}
	return words.join(" ");
}

/** 7..9 thousand: "сім тисяч". */
function thousands(th: number): string {
	return `${UNITS[th]} тисяч`;
}

/** A ticket read aloud: "A017" → "А сімнадцять", "AB5" → "А Бе пʼять"; other characters as they are. */
export function ticketWords(ticket: string): string {
	const m = /^([A-Za-z]*)(\d*)$/.exec(ticket.trim());
	if (!m) return ticket;
	const letters = [...(m[1] ?? "").toUpperCase()].map((c) => LETTERS[c] ?? c);
	const digits = m[2] ?? "";
	const number = digits.length > 0 && digits.length <= 4 ? [numberWords(Number(digits))] : digits ? [digits] : [];
	return [...letters, ...number].join(" ");
}

/**
 * The number a window is called by: the digits of its usual id (`w07` → 7), else of its name
 * ("Вікно 12" → 12); undefined when neither has one (then the name is read as it is).
 */
export function windowNumber(id: string, name?: string): number | undefined {
	const fromId = /^w0*(\d{1,4})$/.exec(id);
	if (fromId) return Number(fromId[1]);
	const fromName = name ? /(\d{1,4})\s*$/.exec(name) : null;
	return fromName ? Number(fromName[1]) : undefined;
}

/** The call as spoken and shown: "Талон А сімнадцять, вікно сім" / "Ticket A017, window 7". */
export function callPhrase(
	ticket: string,
	window: { id: string; name?: string | undefined },
	lang: "uk" | "en" = "uk",
): string {
	const n = windowNumber(window.id, window.name);
	if (lang === "en") return `Ticket ${ticket}, window ${n ?? window.name ?? window.id}`;
	const where = n !== undefined ? `вікно ${numberWords(n)}` : (window.name ?? window.id);
	return `Талон ${ticketWords(ticket)}, ${where}`;
}
