/** `--store URL` parsing: every form of DESIGN.md's command line, and errors that name the wrong part. */
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type OpenStoreOptions, openStore, parseStoreUrl } from "../../store/open.ts";
import { tempDir } from "../fixtures/hub.ts";

const opts: OpenStoreOptions = { dataDir: "/var/lib/vikno", env: { VIKNO_INFLUX_TOKEN: "tok" } };
const parse = (url: string, o = opts) => parseStoreUrl(url, o);

describe("parseStoreUrl", () => {
	it.each([
		["", { kind: "sqlite", path: "/var/lib/vikno/vikno.db" }],
		["sqlite:", { kind: "sqlite", path: "/var/lib/vikno/vikno.db" }],
		["sqlite:/srv/v.db", { kind: "sqlite", path: "/srv/v.db" }],
		["sqlite:data/v.db", { kind: "sqlite", path: resolve("data/v.db") }],
		["sqlite::memory:", { kind: "sqlite", path: ":memory:" }],
		[
			"influx1://127.0.0.1:8086/vikno",
			{ kind: "influx1", options: { host: "127.0.0.1", port: 8086, database: "vikno" } },
		],
		[
			"influx1://db.example:9999/vikno/",
			{ kind: "influx1", options: { host: "db.example", port: 9999, database: "vikno" } },
		],
		["influx1://influx/vikno", { kind: "influx1", options: { host: "influx", port: 8086, database: "vikno" } }],
		[
			"influx1://127.0.0.1:8086/vikno?rp=raw&duration=52w&batch=1000&flushMs=20&https=1",
			{
				kind: "influx1",
				options: {
					host: "127.0.0.1",
					port: 8086,
					database: "vikno",
					protocol: "https",
					retentionPolicy: { name: "raw", duration: "52w" },
					batchSize: 1000,
					flushMs: 20,
				},
			},
		],
		[
			"influx1://127.0.0.1:8086/vikno?rp=raw",
			{
				kind: "influx1",
				options: {
					host: "127.0.0.1",
					port: 8086,
					database: "vikno",
					retentionPolicy: { name: "raw", duration: "400d" },
				},
			},
		],
		[
			"influx1://hub:p%40ss@127.0.0.1:8086/vikno",
			{
				kind: "influx1",
				options: { host: "127.0.0.1", port: 8086, database: "vikno", username: "hub", password: "p@ss" },
			},
		],
		[
			"influx2://127.0.0.1:8086/?org=kyiv&bucket=vikno",
			{ kind: "influx2", options: { url: "http://127.0.0.1:8086", org: "kyiv", bucket: "vikno", token: "tok" } },
		],
		[
			"influx2://cloud.example:443?org=kyiv&bucket=vikno&https=1&batch=200",
			{
				kind: "influx2",
				options: { url: "https://cloud.example:443", org: "kyiv", bucket: "vikno", token: "tok", batchSize: 200 },
			},
		],
	])("%s", (url, spec) => {
		expect(parse(url)).toEqual(spec);
	});

	it.each([
		["mysql://x/y", /scheme "mysql" is not one of sqlite, influx1, influx2/],
		["/srv/v.db", /scheme "\/srv\/v.db"/],
		["influx1://127.0.0.1:8086", /database is missing/],
		["influx1://127.0.0.1:8086/", /database is missing/],
		["influx1://127.0.0.1:8086/a/b", /database "a\/b" must be one path segment/],
		["influx1://127.0.0.1:99999/vikno", /not a URL/],
		["influx1://127.0.0.1:8086/vikno?batch=0", /batch=0 must be an integer from 1/],
		["influx1://127.0.0.1:8086/vikno?flushMs=soon", /flushMs=soon must be an integer/],
		["influx1://127.0.0.1:8086/vikno?retention=7d", /unknown parameter "retention"/],
		["influx1://127.0.0.1:8086/vikno?rp=raw&duration=7days", /duration "7days" is not an InfluxDB duration/],
		["influx1://127.0.0.1:8086/vikno?duration=7d", /duration needs rp=NAME/],
		["influx1://127.0.0.1:8086/vikno?https=yes", /https=yes must be 1 or 0/],
		["influx2://127.0.0.1:8086/?bucket=vikno", /org is missing/],
		["influx2://127.0.0.1:8086/?org=kyiv", /bucket is missing/],
		["influx2://127.0.0.1:8086/vikno?org=kyiv&bucket=vikno", /path "\/vikno" is not used/],
		["influx2://127.0.0.1:8086/?org=kyiv&bucket=vikno&token=abc", /unknown parameter "token"/],
	])("%s → %s", (url, error) => {
		expect(() => parse(url)).toThrow(error);
	});

	it("needs the token in VIKNO_INFLUX_TOKEN for influx2", () => {
		expect(() => parse("influx2://127.0.0.1:8086/?org=kyiv&bucket=vikno", { dataDir: "/d", env: {} })).toThrow(
			/token is missing: set VIKNO_INFLUX_TOKEN/,
		);
	});

	it("never echoes a password", () => {
		expect(() => parse("influx1://hub:hunter2@127.0.0.1:8086/")).toThrow(/"influx1:\/\/hub:\*\*\*@127.0.0.1:8086\/"/);
		expect(() => parse("influx1://hub:hunter2@127.0.0.1:8086/")).not.toThrow(/hunter2/);
	});
});

describe("openStore", () => {
	it("opens the default SQLite file under the data dir", async () => {
		const dir = tempDir("vikno-open-");
		try {
			const store = openStore("", { dataDir: dir.path });
			expect(store.name).toBe("sqlite");
			expect(store.localDurable).toBe(true);
			expect(await store.ping()).toBe(true);
			await store.close();
			expect((await import("node:fs")).existsSync(join(dir.path, "vikno.db"))).toBe(true);
		} finally {
			dir.remove();
		}
	});

	it("makes InfluxDB stores without connecting", async () => {
		const s1 = openStore("influx1://127.0.0.1:8086/vikno", opts);
		const s2 = openStore("influx2://127.0.0.1:8086/?org=o&bucket=b", opts);
		expect([s1.name, s1.localDurable, s2.name, s2.localDurable]).toEqual(["influx1", false, "influx2", false]);
		await s1.close();
		await s2.close();
	});
});
