/** Browser entry: registers the page's elements. */
import { LiveHall } from "./liveHall.ts";

customElements.define("vikno-live-hall", LiveHall);
