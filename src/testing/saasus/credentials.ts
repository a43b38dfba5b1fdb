import { type FakeAnswer, failure, ok } from './answers.js';
import type { FakeSaasusOperation } from './faults.js';
import type { FakeTokenAuthority } from './tokens.js';

/** Which sign-in flow a `GET /credentials` asks for, from its `auth-flow` query parameter. */
export function credentialsOperation(query: URLSearchParams): FakeSaasusOperation {
  return query.get('auth-flow') === 'refreshTokenAuth' ? 'refreshSession' : 'exchangeTemporaryCode';
}

/**
 * `GET /v1/auth/credentials`: a temporary code (single-use, expiring) for the three tokens, or a refresh token for a
 * new ID and access token. A rejected code or refresh token answers `rejectedStatus` with Cognito's
 * `NotAuthorizedException`: the real status is not documented, so tests can ask for a 4xx or a 500.
 */
export function answerCredentials(
  query: URLSearchParams,
  tokens: FakeTokenAuthority,
  userById: (id: string) => { id: string; email: string } | undefined,
  rejectedStatus: number,
): FakeAnswer {
  const flow = query.get('auth-flow');
  if (flow === 'tempCodeAuth') {
    const user = userById(tokens.redeemTemporaryCode(query.get('code')) ?? '');
    if (!user) return failure(rejectedStatus, 'NotAuthorizedException', 'Invalid temporary code');
    return ok({
      id_token: tokens.idToken(user),
      access_token: tokens.accessToken(user.id),
      refresh_token: tokens.refreshToken(user.id),
    });
  }
  if (flow === 'refreshTokenAuth') {
    const user = userById(tokens.userOfRefreshToken(query.get('refresh-token')) ?? '');
    if (!user) return failure(rejectedStatus, 'NotAuthorizedException', 'Invalid Refresh Token');
    return ok({ id_token: tokens.idToken(user), access_token: tokens.accessToken(user.id) });
  }
  return failure(400, 'InvalidParameterException', 'auth-flow must be tempCodeAuth or refreshTokenAuth');
}
