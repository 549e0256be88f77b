/** The store contract against a real influxd 1.x, read back with the `influx` CLI. */
import { Influx1Store } from "../../store/influx1.ts";
import { influxCli, influxdAvailable, influxTagKeys, startInfluxd } from "../fixtures/influxd.ts";
import { storeContract } from "./store.contract.ts";

if (influxdAvailable()) {
	storeContract("influx1", async () => {
		const influxd = await startInfluxd();
		const database = "vikno_contract";
		return {
			open: async () =>
				new Influx1Store({
					host: "127.0.0.1",
					port: influxd.port,
					database,
					retentionPolicy: { name: "raw", duration: "400d" },
				}),
			native: (measurement, centre, columns) => influxCli(influxd.port, database, measurement, centre, columns, "raw"),
			nativeKeys: (measurement) => influxTagKeys(influxd.port, database, measurement),
			dispose: () => influxd.dispose(),
		};
	});
}
