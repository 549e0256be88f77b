/**
 * The hall board's voice: a call's phrase rendered to WAV by Debian's `espeak-ng` with its
 * Ukrainian voice, once per phrase, kept under DATA/speech/ (a board may replay a call, several
 * boards ask for the same one). Without espeak-ng the hub says nothing and the board falls back to
 * the browser's voice or the chime (docs/errors.md, `no_speech`). The phrases come from the hub's
 * own calls (core/callPhrase.ts), never from a request.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Log } from "../core/log.ts";
import type { SpeechSource } from "../dashboard/sources.ts";

const run = (cmd: string, args: string[], timeoutMs: number) =>
	new Promise<void>((resolve, reject) =>
		execFile(cmd, args, { timeout: timeoutMs }, (err) => (err ? reject(err) : resolve())),
	);

export interface SpeechOptions {
	/** Where the WAV files are kept (DATA/speech). */
	dir: string;
	log: Log;
	/** The program (default `espeak-ng`, or env VIKNO_ESPEAK). */
	program?: string;
	voice?: string;
}

/** The hub's speech, or a source that has none when espeak-ng cannot be run. */
export async function startSpeech(opts: SpeechOptions): Promise<SpeechSource> {
	const program = opts.program ?? process.env.VIKNO_ESPEAK ?? "espeak-ng";
	const voice = opts.voice ?? "uk";
	try {
		await run(program, ["--version"], 5_000);
	} catch {
		opts.log.info({ program }, "no espeak-ng: the hall boards use the browser's voice or the chime");
		return { available: false, wav: async () => undefined };
	}
	await mkdir(opts.dir, { recursive: true });
	const pending = new Map<string, Promise<Buffer | undefined>>();
	const render = async (text: string, file: string): Promise<Buffer | undefined> => {
		try {
			return await readFile(file);
		} catch {
			// not rendered yet
		}
		const tmp = `${file}.${process.pid}.tmp`;
		try {
			// -s 150 words a minute: a hall call is read slowly and clearly.
			await run(program, ["-v", voice, "-s", "150", "-w", tmp, text], 10_000);
			await rename(tmp, file);
			return await readFile(file);
		} catch (err) {
			await rm(tmp, { force: true });
			opts.log.warn({ err: (err as Error).message }, "espeak-ng could not say a call");
			return undefined;
		}
	};
	return {
		available: true,
		wav(text) {
			const key = createHash("sha256").update(`${voice}\n${text}`).digest("hex").slice(0, 32);
			let p = pending.get(key);
			if (!p) {
				p = render(text, join(opts.dir, `${key}.wav`)).finally(() => pending.delete(key));
				pending.set(key, p);
			}
			return p;
		},
	};
}
