import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The public surface of every subpath, pinned: a new export (or a lost one) fails here, so it is a decision, made in
// this file, next to the README that documents it. Runtime names are read by importing the source entry (the built
// entry is checked against it in package.test.ts); type-only names from the entry's `export type { ... }` lists.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const surface: Record<string, { entry: string; values: string[]; types: string[] }> = {
  'saasus-mfa': {
    entry: 'src/index.ts',
    values: [
      'MfaClient',
      'MfaConfigurationError',
      'MfaConflictError',
      'MfaError',
      'MfaInvalidCodeError',
      'MfaNotFoundError',
      'MfaProviderError',
      'MfaRateLimitedError',
      'MfaStepUpRequiredError',
      'MfaUnauthorizedError',
      'MfaValidationError',
      'isMfaError',
    ],
    types: [
      'ConflictReason',
      'InvalidCodeReason',
      'MfaAdminResetOptions',
      'MfaCallContext',
      'MfaClientOptions',
      'MfaDisableArgs',
      'MfaDisableResult',
      'MfaEnableOptions',
      'MfaEnableResult',
      'MfaErrorBody',
      'MfaErrorCode',
      'MfaErrorOptions',
      'MfaMethod',
      'MfaNeedsSecondFactorOptions',
      'MfaProvider',
      'MfaProviderErrorOptions',
      'MfaProviderErrorType',
      'MfaRecoveryCodeResult',
      'MfaRecoveryCodesResult',
      'MfaSecondFactorOptions',
      'MfaSecondFactorResult',
      'MfaSetup',
      'MfaStatus',
      'MfaStepUpProof',
      'MfaTrustDeviceOptions',
      'MfaTrustDeviceRequest',
      'MfaTrustedDevice',
      'MfaTrustedDeviceCheck',
      'MfaTrustedDeviceGrant',
      'MfaUser',
      'MfaVerifyResult',
      'SelfHostedClient',
      'StepUpReason',
      'UnauthorizedReason',
    ],
  },
  'saasus-mfa/saasus': {
    entry: 'src/saasus/index.ts',
    values: ['DEFAULT_SAASUS_BASE_URL', 'DEFAULT_TIMEOUT_MS', 'SaasusMfaProvider'],
    types: [
      'CredentialApiLike',
      'SaasUserApiLike',
      'SaasusCredentials',
      'SaasusEnv',
      'SaasusFailure',
      'SaasusFailureKind',
      'SaasusLogger',
      'SaasusMfaPreference',
      'SaasusMfaProviderOptions',
      'SaasusRefreshedTokens',
      'SaasusRole',
      'SaasusSdkRequestOptions',
      'SaasusSdkResponse',
      'SaasusSignInTokens',
      'SaasusTenant',
      'SaasusUserInfo',
      'UserInfoApiLike',
    ],
  },
  'saasus-mfa/totp': {
    entry: 'src/totp/index.ts',
    values: ['BUCKET_NAME', 'EXPIRED_SETUP_GRACE_MS', 'MemoryMfaStore', 'TotpMfaProvider'],
    types: [
      'ActivatePending',
      'AttemptBudget',
      'AttemptClaim',
      'AttemptClaimResult',
      'AttemptLimit',
      'AttemptWindow',
      'ClaimTarget',
      'DeleteFactor',
      'EncryptionKeyInput',
      'EncryptionKeyOption',
      'ListTrustedDevices',
      'MfaEvent',
      'MfaEventListener',
      'MfaEventType',
      'MfaStore',
      'MfaStoredState',
      'MfaVerifyFailure',
      'RecoveryCodeUse',
      'ReplaceRecoveryCodes',
      'RevokeTrustedDevice',
      'SavePending',
      'StoredFactor',
      'StoredPendingSetup',
      'StoredSecret',
      'StoredTrustedDevice',
      'TotpMfaProviderOptions',
      'TrustDevice',
      'TrustDeviceResult',
      'TrustedDeviceRecord',
      'TrustedDeviceStore',
      'TrustedDeviceUse',
      'UseRecoveryCode',
      'UseTrustedDevice',
      'UserQuery',
    ],
  },
  'saasus-mfa/stores/redis': {
    entry: 'src/stores/redis/index.ts',
    values: ['RedisMfaStore'],
    types: ['RedisMfaStoreOptions', 'RedisScriptClient', 'RedisScriptPipeline', 'ReplicaAcks'],
  },
  'saasus-mfa/stores/postgres': {
    entry: 'src/stores/postgres/index.ts',
    values: ['PostgresMfaStore', 'postgresMfaSchema'],
    types: ['PostgresMfaSchemaOptions', 'PostgresMfaStoreOptions', 'PostgresQueryable', 'PostgresRow'],
  },
  'saasus-mfa/stores/sqlite': {
    entry: 'src/stores/sqlite/index.ts',
    values: [
      'SqliteMfaStore',
      'betterSqlite3Driver',
      'bunSqliteDriver',
      'd1Driver',
      'nodeSqliteDriver',
      'sqliteMfaSchema',
    ],
    types: [
      'D1BoundStatementLike',
      'D1DatabaseLike',
      'D1PreparedStatementLike',
      'D1ResultLike',
      'SqliteDriver',
      'SqliteMfaSchemaOptions',
      'SqliteMfaStoreOptions',
      'SqliteRow',
      'SqliteStatement',
      'SqliteValue',
      'SyncSqliteDatabase',
      'SyncSqliteStatement',
    ],
  },
  'saasus-mfa/testing': {
    entry: 'src/testing/index.ts',
    values: ['createFakeAuthenticator', 'createFixedClock', 'systemClock'],
    types: ['FakeAuthenticator', 'FixedClock'],
  },
  'saasus-mfa/testing/saasus': {
    entry: 'src/testing/saasus/index.ts',
    values: ['FakeSaasus', 'createFakeSaasus'],
    types: [
      'FakeIdTokenClaims',
      'FakeSaasusFailure',
      'FakeSaasusMfaState',
      'FakeSaasusOperation',
      'FakeSaasusOptions',
      'FakeSaasusRequest',
      'FakeSaasusUser',
      'FakeTokenLifetimes',
    ],
  },
};

/** The names of every `export type { ... }` list in an entry file (entries re-export explicitly, no wildcards). */
function typeExports(text: string): string[] {
  return [...text.matchAll(/export type \{([^}]*)\}/g)]
    .flatMap((match) => match[1]!.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .sort();
}

describe('the public surface of each subpath', () => {
  it('the package exports exactly the subpaths pinned here', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const subpaths = Object.keys(pkg.exports)
      .filter((key) => key !== './package.json')
      .map((key) => (key === '.' ? 'saasus-mfa' : `saasus-mfa/${key.slice(2)}`));
    expect(subpaths.sort()).toEqual(Object.keys(surface).sort());
  });

  it.each(Object.entries(surface))('%s exports exactly the pinned runtime and type names', async (_name, pinned) => {
    const text = readFileSync(join(root, pinned.entry), 'utf8');
    expect(text, 'explicit named exports only').not.toMatch(/export \*/);
    const module = (await import(join(root, pinned.entry))) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual([...pinned.values].sort());
    expect(typeExports(text)).toEqual([...pinned.types].sort());
  });
});
