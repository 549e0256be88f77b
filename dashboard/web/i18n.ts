/** Interface strings: Ukrainian by default, English second (strings.uk.ts, strings.en.ts). */
import type { Lang, PluralForms } from "./format.ts";
import { en } from "./strings.en.ts";
import { uk } from "./strings.uk.ts";

export type Strings = typeof uk;
export const STRINGS: Record<Lang, Strings> = { uk, en };

/** Nouns that follow a number. */
export const NOUNS = {
	rating: { uk: ["оцінка", "оцінки", "оцінок"], en: ["rating", "ratings"] },
	place: { uk: ["місце", "місця", "місць"], en: ["place", "places"] },
} satisfies Record<string, PluralForms>;
