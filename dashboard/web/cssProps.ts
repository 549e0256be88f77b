/**
 * `style=${cssProps({ width: "40%" })}`: sets style properties through the CSS object model
 * (`style.setProperty`) on every render, the first one included. The hub's Content-Security-Policy
 * refuses a style *attribute* (lit's styleMap writes one on its first render); the object model is
 * not refused. Properties left out of a later render are not removed: give every one each time.
 */
import { noChange } from "lit";
import { type AttributePart, Directive, directive, type PartInfo, PartType } from "lit/directive.js";

class CssProps extends Directive {
	constructor(info: PartInfo) {
		super(info);
		if (info.type !== PartType.ATTRIBUTE || info.name !== "style")
			throw new Error("cssProps() belongs in a style attribute");
	}

	render(_props: Readonly<Record<string, string>>) {
		return noChange;
	}

	override update(part: AttributePart, [props]: [Readonly<Record<string, string>>]) {
		const style = (part.element as HTMLElement).style;
		for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
		return noChange;
	}
}

export const cssProps = directive(CssProps);
