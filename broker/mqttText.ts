/**
 * What MQTT 3.1.1 accepts as text: UTF-8 strings (§1.5.3), topic names and topic filters
 * (§4.7). Pure; the frame guard (frames.ts) calls these on every client id, user name, Will
 * topic, topic and filter before aedes sees them. Each returns what is wrong, or undefined.
 */

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * MQTT-1.5.3-1: well-formed UTF-8 (no surrogates, no overlong forms); MQTT-1.5.3-2: no U+0000.
 * §1.5.3 also says the data SHOULD NOT contain control characters (U+0001–U+001F, U+007F–U+009F)
 * or non-characters, and that a receiver MAY close the connection on them: mosquitto 2 does, so
 * does this broker. Nothing a vikno device sends has them; a log line or a metric label made from
 * them could mislead whoever reads it.
 */
export function mqttStringProblem(bytes: Uint8Array): string | undefined {
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i] as number;
		if (b === 0) return "contains U+0000 (MQTT-1.5.3-2)";
		if (b < 0x20 || b === 0x7f) return `contains the control character ${codePoint(b)} (MQTT-1.5.3)`;
		if (b >= 0x80) return nonAsciiProblem(bytes.subarray(i));
	}
	return undefined;
}

function nonAsciiProblem(bytes: Uint8Array): string | undefined {
	let text: string;
	try {
		text = utf8.decode(bytes);
	} catch {
		return "is not well-formed UTF-8 (MQTT-1.5.3-1)";
	}
	for (const ch of text) {
		const cp = ch.codePointAt(0) as number;
		if (cp === 0) return "contains U+0000 (MQTT-1.5.3-2)";
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `contains the control character ${codePoint(cp)} (MQTT-1.5.3)`;
		if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe)
			return `contains the non-character ${codePoint(cp)} (MQTT-1.5.3)`;
	}
	return undefined;
}

const codePoint = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

/** A topic a client publishes to (or names as its Will topic). */
export function topicNameProblem(topic: string): string | undefined {
	if (topic === "") return "an empty topic (MQTT-4.7.3-1)";
	if (/[+#]/.test(topic)) return `a wildcard in the topic "${topic}" (MQTT-3.3.2-2)`;
	return undefined;
}

/** A filter a client subscribes or unsubscribes with. */
export function topicFilterProblem(filter: string): string | undefined {
	if (filter === "") return "an empty topic filter (MQTT-4.7.3-1)";
	const levels = filter.split("/");
	for (let i = 0; i < levels.length; i++) {
		const level = levels[i] as string;
		if (level.includes("#") && (level !== "#" || i !== levels.length - 1))
			return `"#" not alone in the last level of "${filter}" (MQTT-4.7.1-2)`;
		if (level.includes("+") && level !== "+") return `"+" not alone in its level of "${filter}" (MQTT-4.7.1-3)`;
	}
	return undefined;
}
