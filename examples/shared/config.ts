import type { ExampleAppDeps } from './deps.js';
import { saasusDemo, saasusFromEnv } from './saasus-setup.js';
import { selfHostedFromEnv } from './self-hosted/setup.js';

/** An example app's dependencies, chosen from the environment, with what the banner says about them. */
export interface ExampleSetup {
  mode: 'saasus' | 'demo' | 'self-hosted';
  deps: ExampleAppDeps;
  /** Printed before the URL: the mode and where the state lives. */
  banner: string[];
  /** Printed after the URL: what to try first. */
  tryIt(url: string): string[];
  /** Closes the connections the setup opened (Redis, PostgreSQL, the demo's msw). */
  close(): Promise<void>;
}

const CREDENTIALS = ['SAASUS_SAAS_ID', 'SAASUS_API_KEY', 'SAASUS_SECRET_KEY'] as const;

/**
 * - SaaSus mode when any SaaSus credential is set (the provider then fails fast, naming a missing one);
 * - DEMO mode with `SAASUS_DEMO=1`: SaaSus mode against the in-process fake SaaSus API;
 * - otherwise self-hosted mode: TOTP in this app, state in memory, or in Redis (`REDIS_URL`), PostgreSQL
 *   (`DATABASE_URL`) or a SQLite file (`SQLITE_PATH`, for one server that keeps its enrolments across restarts).
 */
export async function exampleFromEnv(env: Record<string, string | undefined> = process.env): Promise<ExampleSetup> {
  const issuer = env.MFA_ISSUER ?? 'Acme';
  if (CREDENTIALS.some((name) => env[name])) return saasusFromEnv(env, issuer);
  if (env.SAASUS_DEMO === '1') return saasusDemo(issuer);
  return selfHostedFromEnv(env, issuer);
}
