/**
 * The pictures of the docs: every image a page refers to exists, every SVG is well-formed XML, and
 * the drawings of docs/img/ render in Chromium with no text running into another or out of its box.
 * Each drawing is shot into test-artifacts/docs-img/ to be looked at after a change.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../fixtures/browser.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = join(root, "test-artifacts/docs-img");

function filesUnder(dir: string, ext: string): string[] {
	return readdirSync(dir, { recursive: true, encoding: "utf8" })
		.filter((f) => f.endsWith(ext))
		.map((f) => join(dir, f));
}

const pages = [join(root, "README.md"), ...filesUnder(join(root, "docs"), ".md")];
const svgs = filesUnder(join(root, "docs"), ".svg");
const drawings = svgs.filter((f) => dirname(f) === join(root, "docs/img"));

/** Local images a markdown page shows: `![alt](path)` and `<img src="path">`. */
function imagesOf(markdown: string): string[] {
	const found = [
		...markdown.matchAll(/!\[[^\]]*\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g),
		...markdown.matchAll(/<img\b[^>]*\bsrc="([^"]+)"/g),
	].map((m) => m[1] ?? m[2] ?? "");
	return found.filter((src) => !/^[a-z]+:/i.test(src)).map((src) => decodeURIComponent(src.split("#")[0] ?? ""));
}

interface Box {
	x: number;
	y: number;
	w: number;
	h: number;
}
interface Layout {
	width: number;
	height: number;
	texts: (Box & { text: string })[];
	rects: Box[];
}

/** Where Chromium put each text and each box of the drawing open in `page`. */
function layoutOf(page: Page): Promise<Layout> {
	return page.evaluate(() => {
		const svg = document.documentElement as unknown as SVGSVGElement;
		const box = (e: SVGGraphicsElement) => {
			const b = e.getBBox();
			return { x: b.x, y: b.y, w: b.width, h: b.height };
		};
		const width = svg.viewBox.baseVal.width;
		const height = svg.viewBox.baseVal.height;
		return {
			width,
			height,
			texts: [...svg.querySelectorAll("text")].map((t) => ({ ...box(t), text: t.textContent ?? "" })),
			// Boxes that hold text: not the background, not the legend's swatches or the markers' shapes.
			rects: [...svg.querySelectorAll(":scope > rect")]
				.map((r) => box(r as SVGGraphicsElement))
				.filter((b) => b.w > 30 && b.h > 30 && !(b.w === width && b.h === height)),
		};
	});
}

/** How far two boxes overlap, as the smaller of the overlaps along x and y (0: apart). */
function overlap(a: Box, b: Box): number {
	const x = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
	const y = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
	return Math.max(0, Math.min(x, y));
}

const inside = (inner: Box, outer: Box, slack = 1) =>
	inner.x >= outer.x - slack &&
	inner.y >= outer.y - slack &&
	inner.x + inner.w <= outer.x + outer.w + slack &&
	inner.y + inner.h <= outer.y + outer.h + slack;

describe("the docs' images", () => {
	let browser: Browser;
	let page: Page;
	beforeAll(async () => {
		browser = await launchBrowser();
		page = await browser.newPage();
		mkdirSync(ARTIFACTS, { recursive: true });
	});
	afterAll(() => browser?.close());

	it("finds images in markdown as GitHub shows them", () => {
		expect(
			imagesOf('![a](img/a.svg) ![b](<img/b c.svg> "t") ![c](https://x/y.png) <img src="d.png" alt=""> [e](e.svg)'),
		).toEqual(["img/a.svg", "img/b c.svg", "d.png"]);
	});

	it("every image a page shows exists", () => {
		const missing: string[] = [];
		let count = 0;
		for (const md of pages) {
			for (const src of imagesOf(readFileSync(md, "utf8"))) {
				count++;
				const file = resolve(dirname(md), src);
				let ok = false;
				try {
					ok = statSync(file).isFile();
				} catch {
					// missing: reported below
				}
				if (!ok) missing.push(`${relative(root, md)} → ${src}`);
			}
		}
		expect(missing).toEqual([]);
		expect(count).toBeGreaterThanOrEqual(5);
	});

	it("every SVG under docs/ is well-formed XML with an <svg> root", async () => {
		expect(svgs.length).toBeGreaterThanOrEqual(5);
		for (const file of svgs) {
			const problem = await page.evaluate(
				(text) => {
					const doc = new DOMParser().parseFromString(text, "image/svg+xml");
					const error = doc.getElementsByTagName("parsererror")[0];
					if (error) return error.textContent ?? "parse error";
					return doc.documentElement.localName === "svg" ? null : `root is <${doc.documentElement.localName}>`;
				},
				readFileSync(file, "utf8"),
			);
			expect(problem, relative(root, file)).toBeNull();
		}
	});

	it("each drawing renders with every text inside the picture and its box, and no text on another", async () => {
		expect(drawings.length).toBeGreaterThanOrEqual(4);
		for (const file of drawings) {
			const name = relative(root, file);
			await page.goto(pathToFileURL(file).href);
			const layout = await layoutOf(page);
			await page.setViewportSize({ width: Math.ceil(layout.width), height: Math.ceil(layout.height) });
			await page.screenshot({ path: join(ARTIFACTS, `${name.replaceAll("/", "_")}.png`) });
			expect(layout.texts.length, name).toBeGreaterThan(10);
			const picture = { x: 0, y: 0, w: layout.width, h: layout.height };
			const problems: string[] = [];
			for (const [i, t] of layout.texts.entries()) {
				if (!inside(t, picture, 0)) problems.push(`"${t.text}" leaves the picture`);
				// The smallest box whose area holds the text's middle is the one it belongs to.
				const mid = { x: t.x + t.w / 2, y: t.y + t.h / 2, w: 0, h: 0 };
				const own = layout.rects.filter((r) => inside(mid, r, 0)).sort((a, b) => a.w * a.h - b.w * b.h)[0];
				if (own && !inside(t, own)) problems.push(`"${t.text}" runs out of its box`);
				for (const u of layout.texts.slice(i + 1)) {
					// Glyph boxes include the line's ascent and descent: a pixel of them may touch.
					if (overlap(t, u) > 1.5) problems.push(`"${t.text}" overlaps "${u.text}"`);
				}
			}
			expect(problems, name).toEqual([]);
		}
	});
});
