/** Browser entry of the operator console (/desk/{centre}/{window}). */
import { DeskConsole } from "./deskConsole.ts";

customElements.define("vikno-desk", DeskConsole);
