/** Browser entry: registers the page's elements. */
import { LiveHall } from "./liveHall.ts";
import { SessionBar } from "./sessionBar.ts";

customElements.define("vikno-session-bar", SessionBar);
customElements.define("vikno-live-hall", LiveHall);
