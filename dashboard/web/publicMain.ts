/** public.js: the elements of the hub's pages for residents (the centre's page, track my ticket, rating). */
import { BestTimesTable } from "./public/bestTimesTable.ts";
import { RateForm } from "./public/rateForm.ts";
import { TrackTicket } from "./public/trackTicket.ts";
import { WaitWidget } from "./public/waitWidget.ts";

const elements: [string, CustomElementConstructor][] = [
	["vikno-wait", WaitWidget],
	["vikno-best-times", BestTimesTable],
	["vikno-track", TrackTicket],
	["vikno-rate", RateForm],
];
for (const [name, element] of elements) if (!customElements.get(name)) customElements.define(name, element);
