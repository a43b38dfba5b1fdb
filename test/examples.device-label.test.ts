import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UNKNOWN_BROWSER_LABEL, deviceLabel } from '../examples/shared/handlers/device-label.js';

/**
 * The trusted browser's label from its User-Agent: a few words from fixed lists, so a hostile header (huge, control
 * characters, markup, a name) never reaches the store, the page or the SDK's `device_trusted` event.
 */
const AGENTS: Array<[string, string]> = [
  ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Linux'],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    'Chrome on Windows',
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
    'Edge on Windows',
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    'Safari on macOS',
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Safari on iOS',
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1',
    'Chrome on iOS',
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
    'Chrome on Android',
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
    'Samsung Internet on Android',
  ],
  [
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    'Chrome on ChromeOS',
  ],
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
    'Chrome on Linux',
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0',
    'Opera on Windows',
  ],
  ['curl/8.5.0', UNKNOWN_BROWSER_LABEL],
  ['node', UNKNOWN_BROWSER_LABEL],
  ['SomeBot (Linux)', 'A browser on Linux'],
];

describe('the trusted browser label (device-label.ts)', () => {
  it.each(AGENTS)('%s → %s', (agent, label) => {
    expect(deviceLabel(agent)).toBe(label);
  });

  it('a missing or empty header gets the fixed label', () => {
    expect(deviceLabel(undefined)).toBe(UNKNOWN_BROWSER_LABEL);
    expect(deviceLabel('')).toBe(UNKNOWN_BROWSER_LABEL);
  });

  it('hostile header: whatever it holds, the label is one of a few short printable phrases, never a piece of it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (agent) => {
        const label = deviceLabel(agent);
        expect(label.length).toBeLessThanOrEqual(40);
        expect(label).toMatch(/^[A-Za-z ]+$/);
      }),
      { numRuns: 300 },
    );
    expect(deviceLabel(`${'A'.repeat(100_000)} Firefox/1 Linux`)).toBe(UNKNOWN_BROWSER_LABEL); // read: the first 512
    expect(deviceLabel('<img src=x onerror=alert(1)> Firefox/1 (X11; Linux)')).toBe('Firefox on Linux');
  });
});
