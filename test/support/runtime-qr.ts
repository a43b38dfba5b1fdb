import { createRequire } from 'node:module';
import { PNG } from 'pngjs';

// jsqr is CommonJS whose types declare a default export: load it the way Node does.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;

/** Decodes a `data:image/png;base64,` QR code with independent code: pngjs reads the PNG, jsqr the code. */
export function decodePngDataUrl(dataUrl: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

const PIXELS_PER_MODULE = 4;

/**
 * Decodes the SVG QR code by reading its modules: qrcode draws each run of dark modules as `h<length>` along the row
 * a `M`/`m` move put the pen on (y = row + 0.5). The runs are painted into a bitmap, which jsqr decodes: an SVG that
 * drew the wrong modules would not decode to the URI.
 */
export function decodeSvg(svg: string): string | undefined {
  const side = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const path = /<path stroke="#000000" d="([^"]+)"/.exec(svg)?.[1];
  if (!side || !path) return undefined;
  const dark = new Uint8Array(side * side);
  let x = 0;
  let y = 0;
  for (const [, command, first, second] of path.matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    const a = Number(first);
    if (command === 'M') [x, y] = [a, Number(second)];
    else if (command === 'm') [x, y] = [x + a, y + Number(second)];
    else {
      for (let column = x; column < x + a; column++) dark[Math.floor(y) * side + column] = 1;
      x += a;
    }
  }
  const width = side * PIXELS_PER_MODULE;
  const rgba = new Uint8ClampedArray(width * width * 4);
  for (let py = 0; py < width; py++)
    for (let px = 0; px < width; px++) {
      const value = dark[Math.floor(py / PIXELS_PER_MODULE) * side + Math.floor(px / PIXELS_PER_MODULE)] ? 0 : 255;
      rgba.set([value, value, value, 255], (py * width + px) * 4);
    }
  return jsQR(rgba, width, width)?.data;
}
