/**
 * CRC-32C (Castagnoli): the checksum of TFRecord framing. Reflected polynomial 0x82F63B78, initial
 * value and final xor 0xFFFFFFFF, one 256-entry table (byte at a time). `maskedCrc32c` is the rotated
 * and offset form that TFRecords store, so that a CRC of data that itself holds CRCs stays well mixed.
 */

const POLYNOMIAL = 0x82f63b78;

const TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32C of `bytes`, as an unsigned 32-bit integer (`crc32c("123456789") === 0xE3069283`). */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The masked CRC that TFRecords store: ((crc >>> 15) | (crc << 17)) + 0xa282ead8, modulo 2^32. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32c(bytes));
}

/** Masks an unsigned CRC-32C value (see maskedCrc32c). */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
