/** How many hash slots Redis Cluster has. */
export const CLUSTER_SLOTS = 16384;

// CRC16-CCITT (XMODEM), the checksum Redis Cluster maps keys to slots with.
const TABLE = new Uint16Array(256);
for (let byte = 0; byte < 256; byte++) {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[byte] = crc;
}

/**
 * The Cluster slot of a key, as Redis computes it: CRC16 of the hash tag (the text between the first `{` and the
 * next `}`, when not empty) or of the whole key, modulo 16384. The store's keys are ASCII (the user id is
 * percent-encoded, the prefix printable ASCII), so a character is a byte here.
 */
export function clusterSlot(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (let i = 0; i < hashed.length; i++)
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ hashed.charCodeAt(i)) & 0xff]!;
  return crc % CLUSTER_SLOTS;
}
