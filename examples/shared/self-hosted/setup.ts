import { MfaClient } from 'saasus-mfa';
import { TotpMfaProvider, type TotpMfaProviderOptions } from 'saasus-mfa/totp';
import type { ExampleSetup } from '../config.js';
import type { SelfHostedAppDeps } from '../deps.js';
import type { AccountStore } from './accounts.js';
import { type LoginProtection, SelfHostedAuth, TRUSTED_BROWSER_TTL_MS } from './auth.js';
import { backendFromEnv, type Backend } from './backends.js';

export interface SelfHostedOptions {
  /** Name shown in the authenticator app. Default `Acme`. */
  issuer?: string;
  /** Passed to TotpMfaProvider: `encryptionKey`, `now`, `maxAttempts`, ... (tests use a fixed clock here). */
  provider?: Omit<TotpMfaProviderOptions, 'store'>;
  /** The login throttle and the password-hash queue (auth.ts): defaults 10 logins and 10 sign-ups a minute per address, 2 hashes at once, 16 waiting. */
  protection?: LoginProtection;
}

/**
 * The app's dependencies in self-hosted mode, on a backend (backends.ts). What an app of your own would build:
 * TotpMfaProvider on the store, an MfaClient over it, and the accounts that call it at login.
 */
export function selfHostedDeps(
  backend: { mfaStore: Backend['mfaStore']; accounts: AccountStore },
  options: SelfHostedOptions = {},
): SelfHostedAppDeps {
  // One lifetime for the trusted browser in the store and in its cookie (Max-Age), and the page says 30 days.
  const trustedDeviceTtlMs = options.provider?.trustedDeviceTtlMs ?? TRUSTED_BROWSER_TTL_MS;
  const provider = new TotpMfaProvider({ ...options.provider, trustedDeviceTtlMs, store: backend.mfaStore });
  const mfa = new MfaClient({ provider, issuer: options.issuer ?? 'Acme' });
  return { auth: new SelfHostedAuth(mfa, backend.accounts, { protection: options.protection, trustedDeviceTtlMs }) };
}

const KEY_COMMAND = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`;

/** Self-hosted mode from the environment: the backend (backends.ts), MFA_ENCRYPTION_KEY (read by the provider). */
export async function selfHostedFromEnv(
  env: Record<string, string | undefined>,
  issuer: string,
): Promise<ExampleSetup> {
  const backend = await backendFromEnv(env);
  let deps: SelfHostedAppDeps;
  try {
    // The banner below says a missing key once, with the command that makes one: the SDK's warning would repeat it.
    deps = withoutMissingKeyWarning(() => selfHostedDeps(backend, { issuer, provider: { env } }));
  } catch (error) {
    await backend.close(); // a bad MFA_ENCRYPTION_KEY: nothing will use the connection
    throw error;
  }
  const keyLines = env.MFA_ENCRYPTION_KEY
    ? ['TOTP secrets are encrypted at rest with MFA_ENCRYPTION_KEY.']
    : [
        'MFA_ENCRYPTION_KEY is not set: TOTP secrets are stored UNENCRYPTED (fine for a demo on your machine). To encrypt them:',
        `  export MFA_ENCRYPTION_KEY="$(${KEY_COMMAND})"`,
      ];
  return {
    mode: 'self-hosted',
    deps,
    banner: [
      `Self-hosted mode: TOTP checked by this app (TotpMfaProvider); users, sessions and MFA state ${backend.description}`,
      ...keyLines,
    ],
    tryIt: (url) => [
      `Open ${url}/ in a browser: sign up, set up an authenticator, log in with a code.`,
      `Or with curl: curl -s -X POST ${url}/signup -H 'Content-Type: application/json' -d '{"username":"ada","password":"correct horse"}'`,
    ],
    close: () => backend.close(),
  };
}

/**
 * Runs `build` with the SDK's `SAASUS_MFA_NO_ENCRYPTION_KEY` process warning held back (every other warning goes
 * through). Only for the start-up path that prints its own explanation; an app of your own can leave the warning on.
 */
function withoutMissingKeyWarning<T>(build: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, ...args: Parameters<typeof process.emitWarning>) {
    const options = args[1];
    if (typeof options === 'object' && options?.code === 'SAASUS_MFA_NO_ENCRYPTION_KEY') return;
    return Reflect.apply(emitWarning, this, args);
  } as typeof process.emitWarning;
  try {
    return build();
  } finally {
    process.emitWarning = emitWarning;
  }
}
