#!/usr/bin/env -S node --max-semi-space-size=64
// --max-semi-space-size=64: a young generation large enough that the hub's events in flight
// (decoded, waiting for their batch to be synced) die young instead of filling the old generation;
// at high ingest rates that saves much of the GC time (docs/benchmarks.md). It only grows under
// allocation pressure. `npm start` and `npm run bench` pass the same flag.
// Runs the TypeScript sources directly (tsx), so the checkout is the program: no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
