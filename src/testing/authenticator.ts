import { generateSync } from 'otplib';
import type { FixedClock } from './clock.js';
import { systemClock } from './clock.js';

/** What `createFakeAuthenticator` returns: the codes a real authenticator app would show (SHA1, 6 digits, 30 s). */
export interface FakeAuthenticator {
  /** The code an authenticator app shows now for this base32 secret. */
  code(secret: string): string;
  /** The code for a given time (a Date or epoch ms), e.g. one step ago. */
  codeAt(secret: string, time: Date | number): string;
}

/** An authenticator app in a box (SHA1, 6 digits, 30 s), reading the given clock. */
export function createFakeAuthenticator(clock: Pick<FixedClock, 'nowMs'> = systemClock): FakeAuthenticator {
  const codeAt = (secret: string, time: Date | number) => {
    const ms = typeof time === 'number' ? time : time.getTime();
    return generateSync({ secret, epoch: Math.floor(ms / 1000) });
  };
  return { codeAt, code: (secret) => codeAt(secret, clock.nowMs()) };
}
