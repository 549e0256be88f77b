/**
 * The store contract for the InfluxDB 2.x backend: the real @influxdata/influxdb-client writing
 * through the v2 write API of test/fixtures/influx2-compat.ts into a real influxd 1.x, queries over
 * the v1 compatibility endpoint; read back with the `influx` CLI.
 */
import { Influx2Store } from "../../store/influx2.ts";
import { startCompatProxy } from "../fixtures/influx2-compat.ts";
import { influxCli, influxdAvailable, influxTagKeys, startInfluxd } from "../fixtures/influxd.ts";
import { storeContract } from "./store.contract.ts";

if (influxdAvailable()) {
	storeContract("influx2 (v2 write API → influxd 1.x)", async () => {
		const influxd = await startInfluxd();
		const bucket = "vikno";
		// A 2.x bucket exists before the hub writes to it (its owners make it, with the token).
		await fetch(`${influxd.url}/query`, {
			method: "POST",
			body: new URLSearchParams({ q: `CREATE DATABASE ${bucket}` }),
		});
		const proxy = await startCompatProxy({ influxdUrl: influxd.url, org: "cnap", token: "s3cret-token" });
		return {
			open: async () => new Influx2Store({ url: proxy.url, org: "cnap", bucket, token: "s3cret-token" }),
			native: (measurement, centre, columns) => influxCli(influxd.port, bucket, measurement, centre, columns),
			nativeKeys: (measurement) => influxTagKeys(influxd.port, bucket, measurement),
			dispose: async () => {
				await proxy.close();
				await influxd.dispose();
			},
		};
	});
}
