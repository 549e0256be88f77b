/** Types for the aedes stores, which ship none. */
declare module "aedes-persistence-level" {
	const levelPersistence: (db: unknown) => unknown;
	export default levelPersistence;
}
declare module "aedes-persistence-redis" {
	const redisPersistence: (opts: Record<string, unknown>) => unknown;
	export default redisPersistence;
}
declare module "msgpack-lite" {
	export function encode(value: unknown): Buffer;
	export function decode(buffer: Buffer | Uint8Array): unknown;
	const msgpack: { encode: typeof encode; decode: typeof decode };
	export default msgpack;
}
