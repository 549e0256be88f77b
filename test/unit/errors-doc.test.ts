import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PRINTER_STATES } from "../../core/contract.ts";
import { HEALTH_REASON_NAMES, HEALTH_REASONS } from "../../core/health.ts";
import { REJECT_REASON_NAMES } from "../../core/reasons.ts";
import { HTTP_ERROR_CODES, HTTP_ERRORS } from "../../dashboard/errors.ts";
import { EDGE_ERROR_CODES, EDGE_ERRORS } from "../../edge/errors.ts";
import { TICKET_LINK_REFUSALS } from "../../hub/ticketLinks.ts";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** The body of each section at `level`, by its title. */
function sections(markdown: string, level: "##" | "###"): Map<string, string> {
	const out = new Map<string, string>();
	const parts = markdown.split(new RegExp(`^${level} `, "m")).slice(1);
	for (const part of parts) {
		const newline = part.indexOf("\n");
		out.set(part.slice(0, newline).trim(), part.slice(newline + 1));
	}
	return out;
}

describe("docs/errors.md", () => {
	const top = sections(doc, "##");
	const rejections = top.get("Message rejections") ?? "";
	const headings = [...rejections.matchAll(/^### (.*)$/gm)].map((m) => m[1] ?? "");

	it("documents exactly the rejection reasons of core/reasons.ts, each once", () => {
		expect(headings.every((h) => /^`[a-z_]+`$/.test(h))).toBe(true);
		const documented = headings.map((h) => h.slice(1, -1));
		expect(documented.length).toBe(new Set(documented).size);
		expect([...documented].sort()).toEqual([...REJECT_REASON_NAMES].sort());
	});

	it("says for every reason what it means and what the sender should do", () => {
		for (const [heading, body] of sections(rejections, "###")) {
			expect(body, heading).toMatch(/\*\*Sender:\*\*/);
			expect(body.split("**Sender:**")[0]?.trim().length, heading).toBeGreaterThan(30);
		}
	});

	it("has a section on configuration errors showing the message format", () => {
		expect(top.get("Configuration errors")).toMatch(/^\S+\.yaml:\d+:\d+ \/\S+: .+$/m);
	});

	/** The codes documented as `### \`code\`` in a section, in order. */
	const documentedCodes = (section: string) => {
		const headings = [...section.matchAll(/^### (.*)$/gm)].map((m) => m[1] ?? "");
		expect(headings.every((h) => /^`[a-z_]+`$/.test(h))).toBe(true);
		return headings.map((h) => h.slice(1, -1));
	};

	const registries = [
		{ section: "HTTP errors", codes: HTTP_ERROR_CODES, registry: HTTP_ERRORS as Record<string, { status?: number }> },
		{
			section: "Edge node errors",
			codes: EDGE_ERROR_CODES,
			registry: EDGE_ERRORS as Record<string, { status?: number }>,
		},
	];
	for (const { section, codes, registry } of registries) {
		describe(section, () => {
			const body = top.get(section) ?? "";

			it("documents exactly the codes of the registry, each once", () => {
				const documented = documentedCodes(body);
				expect(documented.length).toBe(new Set(documented).size);
				expect([...documented].sort()).toEqual([...codes].sort());
			});

			it("gives each code's HTTP status as the registry has it, what it means and what to do", () => {
				for (const [heading, text] of sections(body, "###")) {
					const status = registry[heading.slice(1, -1)]?.status;
					if (status !== undefined) expect(text.trim(), heading).toMatch(new RegExp(`^HTTP ${status}\\.`));
					// Who should do what: the HTTP client, or for a refused command its sender or the operator.
					const advice = /\*\*(Client|Sender|Operator):\*\*/;
					expect(text, heading).toMatch(advice);
					expect(text.split(advice)[0]?.trim().length, heading).toBeGreaterThan(30);
				}
			});

			it("shows the one envelope", () => {
				expect(body).toMatch(/\{\s*"error":\s*\{\s*"code"/);
			});
		});
	}

	/** The first column of a section's table, without its backticks. */
	const tableKeys = (section: string) => [...section.matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1] ?? "");

	it("lists exactly the ticket link refusals of hub/ticketLinks.ts, each with what it says", () => {
		const body = top.get("Ticket links") ?? "";
		expect(tableKeys(body).sort()).toEqual(Object.keys(TICKET_LINK_REFUSALS).sort());
		for (const text of Object.values(TICKET_LINK_REFUSALS)) expect(body).toContain(text);
	});

	it("lists exactly the printer states of the contract", () => {
		expect(tableKeys(top.get("Printer states") ?? "")).toEqual([...PRINTER_STATES]);
	});

	describe("Health", () => {
		const body = top.get("Health") ?? "";

		it("documents exactly the health reasons of core/health.ts, each once", () => {
			const documented = documentedCodes(body);
			expect(documented.length).toBe(new Set(documented).size);
			expect([...documented].sort()).toEqual([...HEALTH_REASON_NAMES].sort());
		});

		it("gives each reason's severity as the registry has it, what it means and what the operator should do", () => {
			for (const [heading, text] of sections(body, "###")) {
				const severity = HEALTH_REASONS[heading.slice(1, -1) as keyof typeof HEALTH_REASONS].severity;
				expect(text.trim(), heading).toMatch(new RegExp(`^${severity[0]?.toUpperCase()}${severity.slice(1)}\\b`));
				expect(text, heading).toMatch(/\*\*Operator:\*\*/);
				expect(text.split("**Operator:**")[0]?.trim().length, heading).toBeGreaterThan(30);
			}
		});
	});
});
