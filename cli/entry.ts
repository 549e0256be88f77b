/** The program's entry: the bundle's (`npm run build` → dist/vikno.mjs) and, through tsx, bin/vikno.js's. */
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
