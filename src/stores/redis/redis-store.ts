import { MfaConfigurationError } from '../../errors.js';
import type {
  AttemptClaim,
  AttemptClaimResult,
  AttemptWindow,
  ClaimTarget,
  MfaStore,
  MfaStoredState,
  StoredPendingSetup,
} from '../../totp/store.js';
import { userKeys, type UserKeys } from './keys.js';
import { parseAttempt, parseAttemptClaim, parseCount, parseState } from './replies.js';
import { runScript, type LuaScript, type RedisScriptClient } from './script-runner.js';
import * as scripts from './scripts.js';

export interface RedisMfaStoreOptions {
  /** An ioredis `Redis` or `Cluster`, or anything with `evalsha` and `eval`. The store never changes it. */
  client: RedisScriptClient;
  /** Put before every key (default `saasus-mfa:`): up to 64 printable ASCII characters, no space or brace. */
  keyPrefix?: string;
}

/** How long an expired pending setup is kept so that a late code can be told "expired" rather than "no setup". */
const EXPIRED_SETUP_GRACE_MS = 24 * 60 * 60 * 1000;
// Printable ASCII minus space and braces: a brace in the prefix would become the Cluster hash tag (every user in
// one slot, or `{}` splitting a user's keys over slots).
const KEY_PREFIX = /^[\x21-\x7a\x7c\x7e]{0,64}$/;

/** A number as the decimal string Lua compares with tonumber and Redis stores verbatim. */
function decimal(value: number, name: string): string {
  if (!Number.isFinite(value)) throw new RangeError(`RedisMfaStore: ${name} must be a finite number`);
  return String(value);
}

/** PEXPIRE takes a positive whole number of milliseconds. */
const ttl = (ms: number, name: string) => decimal(Math.max(1, Math.ceil(ms)), name);

/**
 * State in Redis, shared by every server of the app. Each method is one Lua script (scripts.ts), so each is one
 * round trip and atomic against any number of concurrent callers, including on Redis Cluster.
 */
export class RedisMfaStore implements MfaStore {
  readonly name = 'redis';
  readonly #client: RedisScriptClient;
  readonly #keyPrefix: string;

  constructor(options: RedisMfaStoreOptions) {
    const { client, keyPrefix = 'saasus-mfa:' } = (options ?? {}) as Partial<RedisMfaStoreOptions>;
    const candidate = client as Partial<RedisScriptClient> | null | undefined;
    if (typeof candidate?.evalsha !== 'function' || typeof candidate.eval !== 'function') {
      throw new MfaConfigurationError(
        'RedisMfaStore needs a client with evalsha and eval, such as an ioredis Redis or Cluster instance',
      );
    }
    if (typeof keyPrefix !== 'string' || !KEY_PREFIX.test(keyPrefix)) {
      throw new MfaConfigurationError(
        'RedisMfaStore keyPrefix must be at most 64 printable ASCII characters, without spaces or braces',
      );
    }
    this.#client = client as RedisScriptClient;
    this.#keyPrefix = keyPrefix;
  }

  async load(userId: string): Promise<MfaStoredState> {
    const keys = this.#keys(userId);
    return parseState(await this.#run(scripts.LOAD, [keys.factor, keys.pending, keys.recovery]));
  }

  async beginAttempt(
    userId: string,
    now: number,
    windowMs: number,
  ): Promise<{ attempts: AttemptWindow; state: MfaStoredState }> {
    const keys = this.#keys(userId);
    const reply = await this.#run(
      scripts.BEGIN_ATTEMPT,
      [keys.attempts, keys.factor, keys.pending, keys.recovery],
      [decimal(now, 'now'), ttl(windowMs, 'windowMs'), decimal(now + windowMs, 'resetAt')],
    );
    return parseAttempt(reply);
  }

  async savePending(userId: string, pending: StoredPendingSetup): Promise<void> {
    const fields = [
      ['secretId', pending.secretId],
      ['sealedSecret', pending.sealedSecret],
      ['createdAt', decimal(pending.createdAt, 'createdAt')],
      ['expiresAt', decimal(pending.expiresAt, 'expiresAt')],
      ['confirmed', pending.confirmed ? '1' : '0'],
    ];
    if (pending.lastStep !== null) fields.push(['lastStep', decimal(pending.lastStep, 'lastStep')]);
    const lifetime = ttl(pending.expiresAt - pending.createdAt + EXPIRED_SETUP_GRACE_MS, 'pending TTL');
    await this.#run(scripts.SAVE_PENDING, [this.#keys(userId).pending], [lifetime, ...fields.flat()]);
  }

  async claimStep(
    userId: string,
    target: ClaimTarget,
    secretId: string,
    step: number,
    resealedSecret?: string,
  ): Promise<boolean> {
    const keys = this.#keys(userId);
    const key = target === 'pending' ? keys.pending : keys.factor;
    const args = [secretId, decimal(step, 'step'), target === 'pending' ? '1' : '0', resealedSecret ?? ''];
    const reply = await this.#run(scripts.CLAIM_STEP, [key, keys.attempts], args);
    return parseCount(reply, 'claim result') === 1;
  }

  async attemptAndClaim(userId: string, claim: AttemptClaim): Promise<AttemptClaimResult> {
    const keys = this.#keys(userId);
    const { secretId, step, now, windowMs, maxAttempts, resealedSecret } = claim;
    const args = [
      secretId,
      step === null ? '' : decimal(step, 'step'),
      '0',
      resealedSecret ?? '',
      decimal(now, 'now'),
      ttl(windowMs, 'windowMs'),
      decimal(now + windowMs, 'resetAt'),
      decimal(maxAttempts, 'maxAttempts'),
    ];
    return parseAttemptClaim(
      await this.#run(scripts.CLAIM_STEP, [keys.factor, keys.attempts, keys.pending, keys.recovery], args),
    );
  }

  async activatePending(
    userId: string,
    secretId: string,
    recoveryCodeHashes: readonly string[],
    now: number,
  ): Promise<boolean> {
    const keys = this.#keys(userId);
    const reply = await this.#run(
      scripts.ACTIVATE_PENDING,
      [keys.factor, keys.pending, keys.recovery, keys.attempts],
      [secretId, decimal(now, 'now'), ...recoveryCodeHashes],
    );
    return parseCount(reply, 'activation result') === 1;
  }

  async consumeRecoveryCode(userId: string, candidateHashes: readonly string[]): Promise<number | null> {
    const keys = this.#keys(userId);
    const left = parseCount(
      await this.#run(scripts.CONSUME_RECOVERY_CODE, [keys.recovery, keys.attempts], candidateHashes),
      'recovery code count',
    );
    return left < 0 ? null : left;
  }

  async replaceRecoveryCodes(userId: string, hashes: readonly string[]): Promise<boolean> {
    const keys = this.#keys(userId);
    return (
      parseCount(
        await this.#run(scripts.REPLACE_RECOVERY_CODES, [keys.factor, keys.recovery], hashes),
        'replace result',
      ) === 1
    );
  }

  async deleteFactor(userId: string): Promise<boolean> {
    const keys = this.#keys(userId);
    return (
      parseCount(
        await this.#run(scripts.DELETE_FACTOR, [keys.factor, keys.pending, keys.recovery]),
        'delete result',
      ) === 1
    );
  }

  #keys(userId: string): UserKeys {
    return userKeys(this.#keyPrefix, userId);
  }

  #run(script: LuaScript, keys: readonly string[], args: readonly string[] = []): Promise<unknown> {
    return runScript(this.#client, script, keys, args);
  }
}
