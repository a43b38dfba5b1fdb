import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { PNG } from 'pngjs';

// jsqr is CommonJS whose types declare an ES default export; require() gives the function under either reading.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;

/** The Debian package's binary unless `CHROMIUM_PATH` says otherwise. playwright-core never downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet headless run: no sandbox (containers), no GPU, no background calls to the network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the browser tests can run. Without Chromium they are skipped with a visible message; in CI
 * (`MFA_REQUIRE_SERVICES=1`) a missing browser fails the run instead, as a missing Redis does (services.ts).
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const why = `no Chromium at ${CHROMIUM_PATH} (install the Debian package chromium, or set CHROMIUM_PATH)`;
  if (process.env.MFA_REQUIRE_SERVICES === '1')
    throw new Error(`Chromium is required (MFA_REQUIRE_SERVICES=1): ${why}`);
  console.warn(`\n  SKIPPED: the browser tests, because ${why}. Set MFA_REQUIRE_SERVICES=1 to fail instead.\n`);
  return false;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile (no cookies, storage or cache from an earlier run), removed on close. */
export async function launchChromium(options: { width?: number; height?: number } = {}): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'saasus-mfa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 820, height: options.height ?? 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The text in a QR code inside a PNG, or null when none is found. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const found = jsQR(
    new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length),
    image.width,
    image.height,
  );
  return found?.data ?? null;
}

/** The PNG inside a `data:image/png;base64,...` URL. */
export function pngFromDataUrl(dataUrl: string): Buffer {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error(`not a PNG data URL: ${dataUrl.slice(0, 30)}`);
  return Buffer.from(dataUrl.slice(prefix.length), 'base64');
}
