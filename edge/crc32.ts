/**
 * CRC-32 (IEEE 802.3, the one of zlib and PNG), table-driven. `node:zlib` has `crc32` only
 * from Node 20.15, and the node must run on any Node 20 a Pi's package source offers.
 * `crc32(b, crc32(a))` equals `crc32(a + b)`, as zlib's does.
 */
const TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

export function crc32(data: Uint8Array, previous = 0): number {
	let c = ~previous;
	for (let i = 0; i < data.length; i++) c = (TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
	return ~c >>> 0;
}
