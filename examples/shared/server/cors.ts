/** Where the front end runs by default (override with `CORS_ORIGIN`). One exact origin: credentials forbid `*`. */
export const DEFAULT_CORS_ORIGIN = 'http://localhost:3000';

/** The headers the official SaaSus sample front end sends (see saasus-api.md, "What the official sample front end sends"). */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Access-Token',
  'X-Requested-With',
  'X-SaaSus-Referer',
];

export const CORS_METHODS = ['GET', 'POST', 'OPTIONS'];

/**
 * The origin CORS allows, from `CORS_ORIGIN` (default `DEFAULT_CORS_ORIGIN`), as browsers send it in `Origin`:
 * scheme, host and port, nothing else. `http://localhost:5173/` becomes `http://localhost:5173`; a value that is not
 * an http(s) origin is refused, because it would silently match no request at all.
 */
export function corsOriginFrom(value: string | undefined): string {
  if (value === undefined) return DEFAULT_CORS_ORIGIN;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const bare = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  if (!url || !bare || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error('CORS_ORIGIN must be an origin like http://localhost:5173 (scheme, host and port only)');
  }
  return url.origin;
}
