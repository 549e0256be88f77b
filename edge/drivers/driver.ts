/**
 * The one small interface in front of hardware. A driver reports raw level changes of inputs
 * (bounces included: debounce is done above, in software, the same for every driver) and sets
 * outputs on or off (blink and beep patterns are timed above too). Only files in this folder
 * import a hardware library, and each only its own.
 */
import type { InputConfig, OutputConfig } from "../config.ts";

/** `active` is the logical level: true = pressed / beam broken, whatever the wiring polarity. */
export type EdgeListener = (active: boolean) => void;

export interface Output {
	set(on: boolean): void;
}

export interface Driver {
	readonly kind: string;
	/** Start watching an input; the listener gets every change of its logical level. */
	input(config: InputConfig, listener: EdgeListener): void;
	output(config: OutputConfig): Output;
	/** Release pins and ports; idempotent. */
	close(): Promise<void>;
}
