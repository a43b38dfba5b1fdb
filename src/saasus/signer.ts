import { constantTimeEqual, primitives, toHex, utf8 } from '../internal/crypto/index.js';

/** The three SaaSus credentials. Never logged, never put on an error. */
export interface SaasusCredentials {
  /** The SaaS ID (`SAASUS_SAAS_ID`), sent as `SaaSID` in the `SAASUSSIGV1` Authorization header. */
  saasId: string;
  /** The API key (`SAASUS_API_KEY`), sent as `APIKey` in that header and part of the signed message. */
  apiKey: string;
  /** The secret key (`SAASUS_SECRET_KEY`) that keys the HMAC-SHA256 signature; never sent. */
  secretKey: string;
}

/** `YYYYMMDDHHmm` in UTC: the minute the signature is valid for. */
export function saasusTimestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    String(date.getUTCFullYear()) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes())
  );
}

/**
 * The signed form of a URL: host, `:port` when the URL names one, path, and `?query` when there is one
 * (`api.saasus.io/v1/auth/userinfo?token=…`). Default ports are absent from `URL.host`, as they are from the wire.
 */
export function signedUrl(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return parsed.host + parsed.pathname + parsed.search;
}

/** Lower-case hex HMAC-SHA256 of `T + APIKey + METHOD + URL + BODY`, keyed with the secret key. */
export function saasusSignature(input: {
  secretKey: string;
  apiKey: string;
  timestamp: string;
  method: string;
  url: string | URL;
  body: string;
}): string {
  const message = input.timestamp + input.apiKey + input.method.toUpperCase() + signedUrl(input.url) + input.body;
  return toHex(primitives().hmac('sha256', utf8(input.secretKey), utf8(message)));
}

/** The `Authorization` header value: `SAASUSSIGV1 Sig=<hex>, SaaSID=<id>, APIKey=<key>`. */
export function saasusAuthorization(
  credentials: SaasusCredentials,
  request: { method: string; url: string | URL; body: string; now: Date },
): string {
  const sig = saasusSignature({
    secretKey: credentials.secretKey,
    apiKey: credentials.apiKey,
    timestamp: saasusTimestamp(request.now),
    method: request.method,
    url: request.url,
    body: request.body,
  });
  return `SAASUSSIGV1 Sig=${sig}, SaaSID=${credentials.saasId}, APIKey=${credentials.apiKey}`;
}

const AUTHORIZATION_PATTERN = /^SAASUSSIGV1 Sig=([0-9a-f]{64}), SaaSID=([^,\s]+), APIKey=([^,\s]+)$/;

/** Splits an `Authorization` header into its parts; `undefined` when it is not exactly the SAASUSSIGV1 form. */
export function parseSaasusAuthorization(
  header: string | null | undefined,
): { sig: string; saasId: string; apiKey: string } | undefined {
  const match = header ? AUTHORIZATION_PATTERN.exec(header) : null;
  if (!match) return undefined;
  return { sig: match[1]!, saasId: match[2]!, apiKey: match[3]! };
}

/** Constant-time comparison of two hex signatures of equal length. */
export function signaturesEqual(a: string, b: string): boolean {
  return constantTimeEqual(utf8(a), utf8(b));
}
