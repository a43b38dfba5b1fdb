/** What a fake SaaSus operation answers, before it becomes an HTTP response: a status and an optional JSON body. */
export interface FakeAnswer {
  status: number;
  body?: unknown;
}

export const ok = (body?: unknown, status = 200): FakeAnswer => ({ status, body });

/** The SaaSus error body: `{ type, message }`. */
export const failure = (status: number, type: string, message: string): FakeAnswer => ({
  status,
  body: { type, message },
});

export const userNotFound = (): FakeAnswer => failure(404, 'UserNotFoundException', 'user not found');

export const accessTokenRejected = (): FakeAnswer => failure(401, 'NotAuthorizedException', 'Invalid Access Token');
