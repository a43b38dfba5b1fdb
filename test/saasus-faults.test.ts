import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/saasus/retry.js';
import { describeSaasusFaults } from './support/saasus-fault-matrix.js';

// Timeouts, resets, 5xx, HTML pages, malformed 200s, 429s and redirects from SaaSus, through the built-in transport
// (test/saasus-faults-official-sdk.test.ts runs the same matrix through the official SDK's objects).
describeSaasusFaults('built-in transport');

describe('Retry-After', () => {
  const now = Date.UTC(1994, 10, 6, 8, 49, 0);

  it('reads delta-seconds and all three HTTP-date forms', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(37_000);
  });

  it.each(['-1', '1.5', '120, 5', '1e3', 'soon', '12 monkeys', ''])(
    'treats %j as unreadable (back off), never as "retry now"',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );
});
