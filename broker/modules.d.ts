/** Types for the aedes stores, which ship none. */
declare module "aedes-persistence-level" {
	const levelPersistence: (db: unknown) => unknown;
	export default levelPersistence;
}
declare module "aedes-persistence-redis" {
	const redisPersistence: (opts: Record<string, unknown>) => unknown;
	export default redisPersistence;
}
