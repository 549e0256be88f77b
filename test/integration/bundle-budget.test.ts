/**
 * The manager page's script, as the hub builds and serves it (dashboard/bundle.ts, esbuild): under
 * the budget of 150 KB gzip (issue 13), with everything it needs and without the schema library the
 * server side uses (a value imported from a module that builds schemas would pull it in).
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildWebBundle } from "../../dashboard/bundle.ts";

const BUDGET = 150 * 1024;

describe("the page's script", () => {
	it("stays under 150 KB gzip", async () => {
		const js = await buildWebBundle();
		const gzip = gzipSync(Buffer.from(js, "utf8"), { level: 9 }).length;
		expect(gzip).toBeLessThan(BUDGET);
		// It holds the charts and the elements, and Ukrainian as UTF-8 rather than \u escapes.
		expect(js).toContain("vikno-chart");
		expect(js).toContain("Черги за послугами");
		// TypeBox marks its schemas with a "~kind" key.
		expect(js).not.toContain("~kind");
	});
});
