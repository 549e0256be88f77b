/**
 * The sign-in page: a plain HTML form (no script), Ukrainian by default, English with `?lang=en`;
 * labelled fields with the browser's password-manager hints, the problem announced to screen
 * readers, usable from 320 px. Its one inline `<style>` carries the answer's CSP nonce.
 */

export type SignInLang = "uk" | "en";

const STRINGS = {
	uk: {
		title: "Вхід",
		product: "Панель керівника ЦНАП",
		user: "Користувач",
		password: "Пароль",
		submit: "Увійти",
		other: "English",
		otherLang: "en",
		wrong: "Невірне імʼя користувача або пароль.",
		locked: (until: string) => `Забагато невдалих спроб. Вхід для цього користувача заблоковано до ${until}.`,
		rateLimited: "Забагато спроб входу з цієї адреси. Спробуйте за хвилину.",
		expired: "Сторінка входу застаріла. Спробуйте ще раз.",
		missing: "Введіть імʼя користувача і пароль.",
		signedOut: "Ви вийшли.",
	},
	en: {
		title: "Sign in",
		product: "Service centre manager dashboard",
		user: "User name",
		password: "Password",
		submit: "Sign in",
		other: "Українська",
		otherLang: "uk",
		wrong: "Wrong user name or password.",
		locked: (until: string) => `Too many failed attempts. Sign-in for this user is locked until ${until}.`,
		rateLimited: "Too many sign-in attempts from this address. Try again in a minute.",
		expired: "The sign-in page had expired. Please try again.",
		missing: "Enter your user name and password.",
		signedOut: "You have signed out.",
	},
} as const;

/** What the page says above the form. */
export type SignInNotice =
	| { kind: "wrong" | "rateLimited" | "expired" | "missing" | "signedOut" }
	| { kind: "locked"; until: string };

export interface SignInPageOptions {
	lang: SignInLang;
	csrfToken: string;
	/** Where to go after signing in (a path on this hub). */
	next: string;
	/** The user name typed before, kept after a failure. */
	user?: string;
	notice?: SignInNotice;
	styleNonce: string;
}

const CSS = `
  * { box-sizing: border-box; }
  html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f6f8; color: #1c2430; }
  body { margin: 0; min-height: 100vh; display: flex; align-items: flex-start; justify-content: center; padding: 12vh 16px 24px; }
  main { width: 100%; max-width: 380px; background: #fff; border: 1px solid #e3e8ee; border-radius: 12px; padding: 28px 24px; }
  .eyebrow { margin: 0; text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.75rem; font-weight: 600; color: #2f5fc4; }
  h1 { margin: 4px 0 20px; font-size: 1.5rem; }
  label { display: block; font-weight: 600; margin: 14px 0 6px; }
  input { width: 100%; font: inherit; padding: 10px 12px; border: 1px solid #8a96a3; border-radius: 8px; color: inherit; background: #fff; }
  input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #2f5fc4; outline-offset: 2px; }
  button { margin-top: 22px; width: 100%; font: inherit; font-weight: 600; padding: 11px 12px; border: 0; border-radius: 8px; background: #2f5fc4; color: #fff; cursor: pointer; }
  .notice { margin: 0 0 8px; padding: 10px 12px; border-radius: 8px; background: #fbe1de; color: #b3261e; }
  .notice.info { background: #dcf3e3; color: #14662e; }
  .lang { display: inline-block; margin-top: 18px; color: #2f5fc4; }
`;

const escapeHtml = (s: string) =>
	s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

export function signInPage(o: SignInPageOptions): string {
	const t = STRINGS[o.lang];
	const notice = o.notice;
	const text = notice ? (notice.kind === "locked" ? t.locked(notice.until) : t[notice.kind]) : "";
	const info = notice?.kind === "signedOut";
	const described = notice && !info ? ' aria-describedby="notice"' : "";
	const other = new URLSearchParams({ ...(o.next !== "/" ? { next: o.next } : {}), lang: t.otherLang });
	if (t.otherLang === "uk") other.delete("lang");
	const otherQuery = other.toString();
	return `<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title} · vikno</title>
<link rel="icon" href="data:,">
<style nonce="${escapeHtml(o.styleNonce)}">${CSS}</style>
</head>
<body>
<main>
<p class="eyebrow">vikno · ${t.product}</p>
<h1>${t.title}</h1>
${notice ? `<p id="notice" class="notice${info ? " info" : ""}" role="${info ? "status" : "alert"}">${escapeHtml(text)}</p>` : ""}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${escapeHtml(o.csrfToken)}">
<input type="hidden" name="next" value="${escapeHtml(o.next)}">
<input type="hidden" name="lang" value="${o.lang}">
<label for="user">${t.user}</label>
<input id="user" name="user" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64"${described} value="${escapeHtml(o.user ?? "")}"${o.user ? "" : " autofocus"}>
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${described}${o.user ? " autofocus" : ""}>
<button type="submit">${t.submit}</button>
</form>
<a class="lang" href="/login${otherQuery ? `?${otherQuery}` : ""}" lang="${t.otherLang}">${t.other}</a>
</main>
</body>
</html>`;
}

/**
 * A path on this hub to go to after signing in: printable ASCII (a browser sends the address
 * percent-encoded), not another host (`//x`, `/\\x`) and not the sign-in page; anything else is `/`.
 */
export function safeNext(next: unknown): string {
	if (typeof next !== "string" || next.length > 2000 || !/^\/[!-~]*$/.test(next)) return "/";
	if (next.startsWith("//") || next.startsWith("/\\") || /^\/login(?:[/?#]|$)/.test(next)) return "/";
	return next;
}
