/** Identifier rules shared by topics, configs and payloads (DESIGN.md, wire contract v1). */
export const ID_PATTERN = "^[a-z0-9][a-z0-9-]{0,31}$";
const ID_RE = new RegExp(ID_PATTERN);

export function isId(value: string): boolean {
	return ID_RE.test(value);
}
