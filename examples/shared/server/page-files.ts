import { readFile } from 'node:fs/promises';
import type { ExampleAppDeps } from '../deps.js';

const HTML = 'text/html; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
// Module scripts are refused by browsers unless served with a JavaScript type (and nosniff makes that strict).
const JS = 'text/javascript; charset=utf-8';

/**
 * The demo page's files (examples/shared/page/), by URL path: the HTML, the styles, and the script's ES modules
 * (app.js imports the others). Only these: no path from the URL reaches the disk. Add a module here when the page
 * gets one.
 */
const PAGE_FILES: Record<string, { file: string; contentType: string }> = {
  '/': { file: 'index.html', contentType: HTML },
  '/app.css': { file: 'app.css', contentType: CSS },
  ...Object.fromEntries(
    [
      'app.js',
      'api.js',
      'messages.js',
      'views.js',
      'session.js',
      'flows/account.js',
      'flows/challenge.js',
      'flows/recovery-codes.js',
      'flows/setup.js',
      'flows/sign-in.js',
      'flows/step-up.js',
      'flows/trusted-browsers.js',
    ].map((file) => [`/${file}`, { file, contentType: JS }]),
  ),
};

/**
 * Headers for the page: it runs only its own script and styles, shows the QR code from a data: URL, talks only to
 * this origin, and may not be framed (a framed MFA page invites clickjacking).
 */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

export const PAGE_PATHS = Object.keys(PAGE_FILES);

/**
 * The page file for a URL path, read on each request (edit the page and reload), or undefined when the path is not
 * one of the page's files or the file does not exist.
 */
export async function pageFile(path: string): Promise<{ body: Buffer; contentType: string } | undefined> {
  const entry = Object.hasOwn(PAGE_FILES, path) ? PAGE_FILES[path] : undefined;
  if (!entry) return undefined;
  try {
    return { body: await readFile(new URL(`../page/${entry.file}`, import.meta.url)), contentType: entry.contentType };
  } catch {
    return undefined;
  }
}

/** The demo page is the self-hosted front end; in SaaSus mode the official sample front end is the page. */
export function servesDemoPage(deps: ExampleAppDeps): boolean {
  return 'auth' in deps;
}
