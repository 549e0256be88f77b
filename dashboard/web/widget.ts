/**
 * widget.js: the embeddable wait widget for a city website —
 *   <script src="https://HUB/widget.js" async></script>
 *   <vikno-wait centre="demo" lang="uk"></vikno-wait>
 * An IIFE (a classic script, so `async` works and `document.currentScript` names the hub). Defines
 * the element once: a page that loads the script twice keeps the first.
 */
import { WaitWidget } from "./public/waitWidget.ts";

if (!customElements.get("vikno-wait")) customElements.define("vikno-wait", WaitWidget);
