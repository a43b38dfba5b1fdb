import {
  type SaasusCredentials,
  parseSaasusAuthorization,
  saasusSignature,
  saasusTimestamp,
  signaturesEqual,
} from './signer.js';

/**
 * The receiving side of SAASUSSIGV1, built on the same signer: whether an `Authorization` header signs exactly this
 * request (method, host, port, path, query, body) for these credentials, in the current minute or the one before
 * (a request signed at hh:mm:59 arrives in the next minute). Used by the fake SaaSus of the test kit.
 */
export function isValidSaasusSignature(request: {
  authorization: string | null | undefined;
  credentials: SaasusCredentials;
  method: string;
  url: string | URL;
  body: string;
  nowMs: number;
}): boolean {
  const parsed = parseSaasusAuthorization(request.authorization);
  const { credentials } = request;
  if (!parsed || parsed.saasId !== credentials.saasId || parsed.apiKey !== credentials.apiKey) return false;
  return [request.nowMs, request.nowMs - 60_000].some((ms) =>
    signaturesEqual(
      parsed.sig,
      saasusSignature({
        secretKey: credentials.secretKey,
        apiKey: credentials.apiKey,
        timestamp: saasusTimestamp(new Date(ms)),
        method: request.method,
        url: request.url,
        body: request.body,
      }),
    ),
  );
}
