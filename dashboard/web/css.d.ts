/** Style sheets imported as text (esbuild's text loader, dashboard/bundle.ts), e.g. uPlot's. */
declare module "*.css" {
	const text: string;
	export default text;
}
