/**
 * The views of the manager page, each at its own path (the hub serves the same page at each; the
 * script shows the view of the path and moves between them without reloading). Shared by the
 * server's page routes (routes/web.ts) and the page's router.
 */
export const VIEWS = [
	{ id: "hall", path: "/", admin: false },
	{ id: "quality", path: "/quality", admin: false },
	{ id: "history", path: "/history", admin: false },
	{ id: "alerts", path: "/alerts", admin: false },
	{ id: "devices", path: "/devices", admin: true },
	{ id: "network", path: "/network", admin: true },
	{ id: "report", path: "/report", admin: false },
] as const;

export type ViewId = (typeof VIEWS)[number]["id"];

export function viewOfPath(path: string): ViewId | undefined {
	return VIEWS.find((v) => v.path === path)?.id;
}
