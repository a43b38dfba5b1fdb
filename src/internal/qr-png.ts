import { encode } from 'fast-png';
import { toBase64Url } from './crypto/index.js';

/** The part of qrcode's `create()` result this renderer reads: the module matrix, row by row, 1 for dark. */
export interface QrMatrix {
  modules: { size: number; data: ArrayLike<number> };
}

/** Pixels per module and the quiet zone in modules: qrcode's own defaults for `toDataURL` at margin 2. */
const SCALE = 4;

/**
 * A QR matrix as a `data:image/png;base64,` URL, in pure JavaScript (fast-png, whose deflate is fflate's): the same
 * bytes on every runtime, and no canvas, which qrcode's browser build needs for `toDataURL` and Workers do not have.
 * One-bit grayscale: black modules on white, the quiet zone included.
 */
export function qrPngDataUrl(qr: QrMatrix, margin: number): string {
  const { size, data } = qr.modules;
  const side = (size + 2 * margin) * SCALE;
  const bytesPerRow = Math.ceil(side / 8);
  // 1-bit rows, most significant bit first; a set bit is white (grayscale 1), so the zeroed array starts all black.
  const pixels = new Uint8Array(bytesPerRow * side);
  for (let y = 0; y < side; y++) {
    const row = Math.floor(y / SCALE) - margin;
    for (let x = 0; x < side; x++) {
      const column = Math.floor(x / SCALE) - margin;
      const inside = row >= 0 && row < size && column >= 0 && column < size;
      const dark = inside && data[row * size + column] === 1;
      if (!dark) pixels[y * bytesPerRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  const png = encode({ width: side, height: side, data: pixels, depth: 1, channels: 1 });
  return `data:image/png;base64,${toBase64(png)}`;
}

/** Standard (padded) base64, the form a data URL uses. */
function toBase64(bytes: Uint8Array): string {
  const url = toBase64Url(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return url + '='.repeat((4 - (url.length % 4)) % 4);
}
