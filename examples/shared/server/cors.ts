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
