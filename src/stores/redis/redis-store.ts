import { MfaConfigurationError } from '../../errors.js';
import {
  EXPIRED_SETUP_GRACE_MS,
  type ActivatePending,
  type AttemptBegun,
  type AttemptClaim,
  type AttemptClaimResult,
  type BeginAttempt,
  type ConsumeRecoveryCode,
  type MfaStore,
  type MfaStoredState,
  type ReplaceRecoveryCodes,
  type SavePending,
  type StepClaim,
  type UserQuery,
} from '../../totp/store.js';
import { userKeys, type UserKeys } from './keys.js';
import { replyProblem } from './reply-problem.js';
import { parseAttempt, parseAttemptClaim, parseCount, parseState } from './replies.js';
import { runScript, type LuaScript, type RedisScriptClient } from './script-runner.js';
import * as scripts from './scripts.js';

/** Options of `RedisMfaStore`; `client` is required. */
export interface RedisMfaStoreOptions {
  /** An ioredis `Redis` or `Cluster`, or anything with `evalsha` and `eval`. The store never changes it. */
  client: RedisScriptClient;
  /** Put before every key (default `saasus-mfa:`): up to 64 printable ASCII characters, no space or brace. */
  keyPrefix?: string;
}

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

  async load({ userId }: UserQuery): Promise<MfaStoredState> {
    const keys = this.#keys(userId);
    return parseState(await this.#run(scripts.LOAD, [keys.factor, keys.pending, keys.recovery]));
  }

  async beginAttempt({ userId, now, windowMs }: BeginAttempt): Promise<AttemptBegun> {
    const keys = this.#keys(userId);
    const reply = await this.#run(
      scripts.BEGIN_ATTEMPT,
      [keys.attempts, keys.factor, keys.pending, keys.recovery],
      [decimal(now, 'now'), ttl(windowMs, 'windowMs'), decimal(now + windowMs, 'resetAt')],
    );
    return parseAttempt(reply);
  }

  async savePending({ userId, pending }: SavePending): Promise<void> {
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

  async claimStep({ userId, target, secretId, step, resealedSecret }: StepClaim): Promise<boolean> {
    const keys = this.#keys(userId);
    const key = target === 'pending' ? keys.pending : keys.factor;
    const args = [target === 'pending' ? 'pending' : 'factor', secretId, decimal(step, 'step')];
    if (resealedSecret !== undefined) args.push(resealedSecret);
    return parseCount(await this.#run(scripts.CLAIM_STEP, [key, keys.attempts], args), 'claim result') === 1;
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const { userId, secretId, step, now, windowMs, maxAttempts, resealedSecret } = claim;
    const keys = this.#keys(userId);
    const args = [
      decimal(now, 'now'),
      ttl(windowMs, 'windowMs'),
      decimal(now + windowMs, 'resetAt'),
      decimal(maxAttempts, 'maxAttempts'),
      secretId,
      step === null ? '' : decimal(step, 'step'),
    ];
    if (resealedSecret !== undefined) args.push(resealedSecret);
    const reply = await this.#run(
      scripts.ATTEMPT_AND_CLAIM,
      [keys.factor, keys.attempts, keys.pending, keys.recovery],
      args,
    );
    return parseAttemptClaim(reply);
  }

  async activatePending({ userId, secretId, recoveryCodeHashes, now }: ActivatePending): Promise<boolean> {
    const keys = this.#keys(userId);
    const reply = await this.#run(
      scripts.ACTIVATE_PENDING,
      [keys.factor, keys.pending, keys.recovery, keys.attempts],
      [secretId, decimal(now, 'now'), ...recoveryCodeHashes],
    );
    return parseCount(reply, 'activation result') === 1;
  }

  async consumeRecoveryCode({ userId, candidateHashes }: ConsumeRecoveryCode): Promise<number | null> {
    const keys = this.#keys(userId);
    const reply = await this.#run(scripts.CONSUME_RECOVERY_CODE, [keys.recovery, keys.attempts], candidateHashes);
    const left = parseCount(reply, 'recovery code count');
    return left < 0 ? null : left;
  }

  async replaceRecoveryCodes({ userId, hashes }: ReplaceRecoveryCodes): Promise<boolean> {
    const keys = this.#keys(userId);
    const reply = await this.#run(scripts.REPLACE_RECOVERY_CODES, [keys.factor, keys.recovery], hashes);
    return parseCount(reply, 'replace result') === 1;
  }

  async deleteFactor({ userId }: UserQuery): Promise<boolean> {
    const keys = this.#keys(userId);
    const reply = await this.#run(scripts.DELETE_FACTOR, [keys.factor, keys.pending, keys.recovery]);
    return parseCount(reply, 'delete result') === 1;
  }

  #keys(userId: string): UserKeys {
    return userKeys(this.#keyPrefix, userId);
  }

  async #run(script: LuaScript, keys: readonly string[], args: readonly string[] = []): Promise<unknown> {
    try {
      return await runScript(this.#client, script, keys, args);
    } catch (error) {
      throw replyProblem(error) ?? error;
    }
  }
}
