/**
 * The residents' pages, rendered on the hub (phone first): the centre's public page, track my
 * ticket, the QR rating page, the widget demo and a "not found" page. What changes lives in the
 * elements of /public.js (the widget, the best-times table, the tracker, the rating form); what does
 * not — headings, hours, contacts, forms that work without a script — is here.
 */
import type { Centre } from "../../core/centre.ts";
import type { OpeningDay } from "../../core/publicWait.ts";
import { intervalText } from "../web/public/format.ts";
import { fill, type Lang, WORDS } from "../web/public/i18n.ts";
import { esc, page } from "./html.ts";

const DATE_FORMATS: Record<Lang, Intl.DateTimeFormat> = {
	uk: new Intl.DateTimeFormat("uk-UA", { day: "numeric", month: "long", timeZone: "UTC" }),
	en: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", timeZone: "UTC" }),
};

function dateText(date: string, lang: Lang): string {
	const [y = "2000", m = "1", d = "1"] = date.split("-");
	return DATE_FORMATS[lang].format(Date.UTC(Number(y), Number(m) - 1, Number(d)));
}

function hoursTable(week: readonly OpeningDay[], lang: Lang): string {
	const w = WORDS[lang];
	const rows = week
		.map((d, i) => {
			const hours = d.hours.length ? d.hours.map(intervalText).join(", ") : w.dayOff;
			const holiday = d.holiday ? ` (${esc(d.holiday.name?.[lang] ?? w.holiday)})` : "";
			const day = `${esc(w.weekdays[d.weekday])}, ${esc(dateText(d.date, lang))}`;
			return `<tr${i === 0 ? ' class="today"' : ""}><th scope="row">${i === 0 ? `${esc(w.hoursToday)}: ` : ""}${day}</th><td>${esc(hours)}${holiday}</td></tr>`;
		})
		.join("\n");
	return `<table class="hours"><caption class="sr">${esc(w.hoursTitle)}</caption><tbody>${rows}</tbody></table>`;
}

function contacts(centre: Centre, lang: Lang): string {
	const c = centre.contacts;
	if (!c) return "";
	const w = WORDS[lang];
	const lines = [
		c.address ? `<p>${esc(c.address[lang])}</p>` : "",
		c.phone ? `<p>${esc(w.phone)}: <a href="tel:${esc(c.phone.replace(/[^+0-9]/g, ""))}">${esc(c.phone)}</a></p>` : "",
		c.email ? `<p>${esc(w.email)}: <a href="mailto:${esc(c.email)}">${esc(c.email)}</a></p>` : "",
		c.mapUrl ? `<p><a href="${esc(c.mapUrl)}" rel="noopener">${esc(w.map)}</a></p>` : "",
		c.website ? `<p><a href="${esc(c.website)}" rel="noopener">${esc(w.website)}</a></p>` : "",
	].join("\n");
	return `<section aria-labelledby="contacts-h"><h2 id="contacts-h">${esc(w.address)}</h2><address>${lines}</address></section>`;
}

export function trackForm(centre: string, lang: Lang, value = ""): string {
	const w = WORDS[lang];
	return `<form class="track" method="get" action="/c/${esc(centre)}/t">
<label for="ticket">${esc(w.trackLabel)}</label>
<p class="hint" id="ticket-hint">${esc(w.trackHint)}</p>
<div class="row"><input id="ticket" name="ticket" value="${esc(value)}" required maxlength="16" autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="ticket-hint">
<input type="hidden" name="lang" value="${lang}">
<button type="submit">${esc(w.trackGo)}</button></div>
</form>`;
}

export function centrePage(centre: Centre, week: readonly OpeningDay[], lang: Lang, otherLang: string): string {
	const w = WORDS[lang];
	const id = esc(centre.id);
	const main = `<h1>${esc(centre.name[lang])}</h1>
<section aria-labelledby="wait-h">
<h2 id="wait-h">${esc(w.waitNow)}</h2>
<vikno-wait centre="${id}" lang="${lang}" layout="full" heading-level="0"></vikno-wait>
<noscript><p>${esc(w.noScript)}</p></noscript>
</section>
<section aria-labelledby="track-h">
<h2 id="track-h">${esc(w.trackTitle)}</h2>
${trackForm(centre.id, lang)}
</section>
<section aria-labelledby="hours-h">
<h2 id="hours-h">${esc(w.hoursTitle)}</h2>
${hoursTable(week, lang)}
</section>
<section aria-labelledby="best-h">
<h2 id="best-h">${esc(w.bestTitle)}</h2>
<vikno-best-times centre="${id}" lang="${lang}"></vikno-best-times>
</section>
${contacts(centre, lang)}
<p class="note">${esc(w.qrNote)}</p>`;
	return page({
		lang,
		title: `${centre.name[lang]} — ${w.pageTitle}`,
		centre: { id: centre.id, name: centre.name[lang] },
		otherLang,
		main,
	});
}

export function trackPage(
	centre: Centre,
	ticket: string,
	key: string | undefined,
	lang: Lang,
	otherLang: string,
): string {
	const w = WORDS[lang];
	const main = `<h1>${esc(w.ticket)} ${esc(ticket)}</h1>
<vikno-track centre="${esc(centre.id)}" ticket="${esc(ticket)}"${key ? ` key="${esc(key)}"` : ""} lang="${lang}"></vikno-track>
<noscript><p>${esc(w.noScript)}</p></noscript>
<section aria-labelledby="track-h">
<h2 id="track-h">${esc(w.trackTitle)}</h2>
${trackForm(centre.id, lang)}
</section>
<p><a href="/c/${esc(centre.id)}?lang=${lang}">${esc(w.backToCentre)}</a></p>`;
	return page({
		lang,
		title: `${w.ticket} ${ticket} — ${centre.name[lang]}`,
		centre: { id: centre.id, name: centre.name[lang] },
		otherLang,
		main,
	});
}

export function ratePage(centre: Centre, window: string, token: string, lang: Lang, otherLang: string): string {
	const w = WORDS[lang];
	const main = `<h1>${esc(w.rateTitle)}</h1>
<p class="lead">${esc(fill(w.rateAt, { window }))}</p>
<vikno-rate centre="${esc(centre.id)}" token="${esc(token)}" scale="${centre.ratingScale}" lang="${lang}"></vikno-rate>
<noscript><p>${esc(w.noScript)}</p></noscript>
<p><a href="/c/${esc(centre.id)}?lang=${lang}">${esc(w.backToCentre)}</a></p>`;
	return page({
		lang,
		title: `${w.rateTitle} — ${centre.name[lang]}`,
		centre: { id: centre.id, name: centre.name[lang] },
		otherLang,
		main,
	});
}

export function notFoundPage(text: string, lang: Lang, otherLang: string): string {
	return page({ lang, title: text, otherLang, main: `<h1>${esc(text)}</h1>` });
}

/** A city website as the widget's demo: the snippet to paste, and the widget in both layouts. */
export function widgetDemoPage(origin: string, centre: Centre, lang: Lang, otherLang: string): string {
	const snippet = `<script src="${origin}/widget.js" async></script>
<vikno-wait centre="${centre.id}" lang="${lang}"></vikno-wait>`;
	const intro =
		lang === "uk"
			? "Так віджет виглядає на сайті міста. Вставте цей фрагмент у сторінку:"
			: "This is how the widget looks on a city website. Paste this snippet into a page:";
	const main = `<h1>${lang === "uk" ? "Віджет часу очікування" : "The waiting-time widget"}</h1>
<p>${esc(intro)}</p>
<pre><code>${esc(snippet)}</code></pre>
<h2>${lang === "uk" ? "Компактний" : "Compact"}</h2>
<vikno-wait centre="${esc(centre.id)}" lang="${lang}"></vikno-wait>
<h2>${lang === "uk" ? "Повний" : "Full"} (layout="full")</h2>
<vikno-wait centre="${esc(centre.id)}" lang="${lang}" layout="full" heading-level="3"></vikno-wait>`;
	return page({ lang, title: "vikno — widget", otherLang, main }).replace(
		'<script type="module" src="/public.js"></script>',
		'<script src="/widget.js" async></script>',
	);
}
