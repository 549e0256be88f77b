/** Browser entry of the hall board (/board/{centre}): registers its element. */
import { HallBoard } from "./hallBoard.ts";

customElements.define("vikno-board", HallBoard);
