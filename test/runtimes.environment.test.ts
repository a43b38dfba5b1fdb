import { afterEach, describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { SaasusMfaProvider } from '../src/saasus/index.js';
import { TotpMfaProvider } from '../src/totp/index.js';

// A runtime that refuses environment access (Deno without --allow-env throws NotCapable on every read) must get a
// configuration error that says what to do, never the runtime's raw error. Here Node's process.env is swapped for
// one that refuses as Deno's does; the real Deno run is in test/runtimes/packed.runtime.ts.
class NotCapable extends Error {
  override name = 'NotCapable';
}
const realEnv = process.env;
function refuseEnvironment(): void {
  process.env = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, name) {
      throw new NotCapable(`Requires env access to "${String(name)}", run again with the --allow-env flag`);
    },
  });
}
afterEach(() => {
  process.env = realEnv;
});

describe('environment reads on a runtime that refuses them', () => {
  it('TotpMfaProvider without encryptionKey names MFA_ENCRYPTION_KEY and the option, not NotCapable', () => {
    refuseEnvironment();
    const error = (() => {
      try {
        new TotpMfaProvider();
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(MfaConfigurationError);
    expect((error as Error).message).toMatch(/MFA_ENCRYPTION_KEY.*--allow-env=MFA_ENCRYPTION_KEY.*\{ encryptionKey \}/);
    // The runtime's error class only, not its message or stack.
    expect((error as Error).cause).toBe('NotCapable');
  });

  it('SaasusMfaProvider names the first variable it needed and its option', () => {
    refuseEnvironment();
    expect(() => new SaasusMfaProvider({ saasId: 's', apiKey: 'a', secretKey: 'k' })).toThrow(
      /SAASUS_API_URL_BASE.*\{ baseUrl \}/,
    );
  });

  it('reads nothing when every option is passed', () => {
    refuseEnvironment();
    expect(() => new TotpMfaProvider({ encryptionKey: Buffer.alloc(32, 1) })).not.toThrow();
    expect(
      () => new SaasusMfaProvider({ saasId: 's', apiKey: 'a', secretKey: 'k', baseUrl: 'http://127.0.0.1:9' }),
    ).not.toThrow();
  });

  it('a runtime without process at all (Workers without nodejs_compat) reads every variable as unset', () => {
    const realProcess = globalThis.process;
    try {
      Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
      expect(() => new SaasusMfaProvider({ saasId: 's', apiKey: 'a', secretKey: 'k' })).not.toThrow();
    } finally {
      Object.defineProperty(globalThis, 'process', { value: realProcess, configurable: true, writable: true });
    }
  });
});
