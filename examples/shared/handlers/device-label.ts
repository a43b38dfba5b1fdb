/**
 * The label a trusted browser is listed under in the settings ("Firefox on Linux"), made from its `User-Agent`.
 *
 * Only words of the lists below ever reach the label, never a piece of the header: the header is whatever the client
 * wrote (kilobytes of it, control characters, markup, another user's name), and the label is stored, shown on the
 * page and sent in the SDK's `device_trusted` event. So it is short, printable and the same for every copy of a
 * browser: a name to recognise a row by, not a fingerprint. A missing or unknown header gets a fixed label.
 */
export const UNKNOWN_BROWSER_LABEL = 'Unknown browser';

// Order matters: Edge, Opera and Samsung Internet also say "Chrome" and "Safari"; Chrome also says "Safari".
const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(HeadlessChrome|Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

// Order matters: Android says "Linux", iOS says "like Mac OS X".
const SYSTEMS: Array<[RegExp, string]> = [
  [/\b(iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** How much of the header is looked at: every real User-Agent names its browser well within it. */
const READ_AT_MOST = 512;

export function deviceLabel(userAgent: string | undefined): string {
  if (!userAgent) return UNKNOWN_BROWSER_LABEL;
  const head = userAgent.slice(0, READ_AT_MOST);
  const browser = BROWSERS.find(([pattern]) => pattern.test(head))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(head))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return UNKNOWN_BROWSER_LABEL;
}
