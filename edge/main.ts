/** Process entry for running an edge node without the `vikno` CLI: `node --import tsx edge/main.ts --config FILE`. */
import { edgeCommand } from "./command.ts";

await edgeCommand(process.argv.slice(2));
