import type { RequestListener } from 'node:http';

/**
 * A stand-in for the official SaaSus React sample front end, reduced to its calls to the backend (saasus-api.md,
 * "What the official sample front end sends" and "Signing in"): XHR as axios sends it, `withCredentials`, the
 * headers `X-Requested-With`, `Authorization: Bearer <ID token>`, `X-SaaSus-Referer: <page path>` and, for setup
 * and verify, `X-Access-Token`; the ID and access tokens in localStorage (`SaaSusIdToken`, `SaaSusAccessToken`),
 * the refresh token in the `SaaSusRefreshToken` cookie it writes itself; the token check that decodes the ID
 * token's `exp` and calls `/refresh` once it has passed, and goes to the login page when that fails.
 * The test drives it through `window.frontEnd` in a real browser, from an origin of its own.
 */
const SCRIPT = String.raw`
const API = new URL(location.href).searchParams.get('api');

function request(method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, API + path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (body !== undefined) xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText ? JSON.parse(xhr.responseText) : null });
    xhr.onerror = () => reject(new Error('network error (CORS?) on ' + path));
    xhr.send(body === undefined ? null : JSON.stringify(body));
  });
}

function expSecondsOf(idToken) {
  const payload = idToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(payload)).exp;
}

const loginPage = () => ({ status: 'login' });

// The sample's token check, before every page and call. Half a second early, so that a token does not expire
// between this check and the backend's.
async function checkToken() {
  const idToken = localStorage.getItem('SaaSusIdToken');
  if (!idToken) return false;
  if (expSecondsOf(idToken) * 1000 > Date.now() + 500) return true;
  const refreshed = await request('GET', '/refresh');
  if (refreshed.status !== 200) return false;
  localStorage.setItem('SaaSusIdToken', refreshed.body.id_token);
  localStorage.setItem('SaaSusAccessToken', refreshed.body.access_token);
  return true;
}

function signedInHeaders(withAccessToken) {
  const headers = {
    Authorization: 'Bearer ' + localStorage.getItem('SaaSusIdToken'),
    'X-SaaSus-Referer': location.pathname,
  };
  if (withAccessToken) headers['X-Access-Token'] = localStorage.getItem('SaaSusAccessToken');
  return headers;
}

window.frontEnd = {
  // The login callback page: /callback?code=<temporary code>.
  async callback(code) {
    const answer = await request('GET', '/credentials?code=' + encodeURIComponent(code));
    if (answer.status !== 200) return { status: answer.status, body: answer.body };
    localStorage.setItem('SaaSusIdToken', answer.body.id_token);
    localStorage.setItem('SaaSusAccessToken', answer.body.access_token);
    document.cookie = 'SaaSusRefreshToken=' + answer.body.refresh_token + '; path=/';
    return this.route();
  },
  // Where the sample sends a signed-in user: by the first tenant's first env's first role.
  async route() {
    if (!(await checkToken())) return loginPage();
    const answer = await request('GET', '/userinfo', { headers: signedInHeaders(false) });
    if (answer.status !== 200) return loginPage();
    const tenant = answer.body.tenants[0];
    const role = tenant.envs[0].roles[0].role_name;
    const page = role === 'sadmin' ? 'sadmin' : role === 'admin' ? 'admin' : 'user';
    return { status: 200, path: '/' + page + '/toppage?tenant_id=' + tenant.id, email: answer.body.email };
  },
  // UserMfaSettingDialog's calls.
  async mfa(method, path, { withAccessToken = false, body } = {}) {
    if (!(await checkToken())) return loginPage();
    return request(method, path, { headers: signedInHeaders(withAccessToken), body });
  },
};
`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>SaaSus sample front end</title></head>
<body><script>${SCRIPT}</script></body></html>`;

/** Serves the stand-in page on every path (the sample's routes: /callback, /admin/toppage, ...). */
export const saasusFrontEnd: RequestListener = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(PAGE);
};
