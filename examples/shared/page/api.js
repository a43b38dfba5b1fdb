// Talking to the example server: one JSON call at a time, and where the session token is kept.

// The session token lives in sessionStorage: it survives a reload of this tab but not closing it, no other tab
// sees it, and unlike a cookie the browser never attaches it on its own, so another site cannot make requests in the
// user's name (no CSRF). A script on this page could read it, which is why the page loads no third-party code and its
// Content-Security-Policy allows scripts from this server only.
const TOKEN_KEY = 'saasus-mfa-demo.session';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  keep: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

/**
 * A refused call: the HTTP status and what the error body says (`code`, `reason`, `retryAfterMs`,
 * `attemptsRemaining`, `error`).
 */
export class ApiError extends Error {
  constructor(status, body, retryAfterHeader) {
    super(typeof body?.code === 'string' ? body.code : `http_${status}`);
    this.status = status;
    this.code = typeof body?.code === 'string' ? body.code : null;
    this.reason = typeof body?.reason === 'string' ? body.reason : null;
    this.retryAfterMs = retryAfterOf(body, retryAfterHeader);
    // How many wrong codes are left before a lock, when the server says (self-hosted SDK).
    this.attemptsRemaining =
      Number.isSafeInteger(body?.attemptsRemaining) && body.attemptsRemaining >= 0 ? body.attemptsRemaining : null;
    this.serverMessage = typeof body?.error === 'string' ? body.error : null;
  }
}

function retryAfterOf(body, header) {
  if (typeof body?.retryAfterMs === 'number' && Number.isFinite(body.retryAfterMs)) return body.retryAfterMs;
  const seconds = Number(header);
  return header && Number.isFinite(seconds) ? seconds * 1000 : null;
}

/** One JSON call. Resolves to the parsed body (or {} for 204); rejects with an ApiError that carries the error's code. */
export async function api(method, path, { body, auth = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth) headers.Authorization = `Bearer ${session.token() ?? ''}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { code: 'network_error' });
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get('Retry-After'));
  return data ?? {};
}
