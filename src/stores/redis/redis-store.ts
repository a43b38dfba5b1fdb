import { MfaConfigurationError } from '../../errors.js';
import {
  EXPIRED_SETUP_GRACE_MS,
  type ActivatePending,
  type AttemptBudget,
  type AttemptClaim,
  type AttemptClaimResult,
  type DeleteFactor,
  type MfaStore,
  type MfaStoredState,
  type RecoveryCodeUse,
  type ReplaceRecoveryCodes,
  type SavePending,
  type UseRecoveryCode,
  type UserQuery,
} from '../../totp/store.js';
import type {
  ListTrustedDevices,
  RevokeTrustedDevice,
  TrustDevice,
  TrustDeviceResult,
  TrustedDeviceRecord,
  TrustedDeviceUse,
  UseTrustedDevice,
} from '../../totp/store-devices.js';
import { RedisTrustedDevices } from './devices.js';
import { userKeys, type UserKeys } from './keys.js';
import { resolveReplicaAcks, type ReplicaAcks } from './replica-acks.js';
import { parseAttemptClaim, parseCount, parseRecoveryCodeUse, parseState } from './replies.js';
import { ScriptCalls, decimal, ttl } from './script-calls.js';
import { ScriptRunner, type RedisScriptClient } from './script-runner.js';
import * as scripts from './scripts.js';

/** Options of `RedisMfaStore`; `client` is required. */
export interface RedisMfaStoreOptions {
  /** An ioredis `Redis` or `Cluster`, or anything with `evalsha` and `eval` (and `pipeline` for `replicaAcks`). */
  client: RedisScriptClient;
  /** Put before every key (default `saasus-mfa:`): up to 64 printable ASCII characters, no space or brace. */
  keyPrefix?: string;
  /**
   * Wait for replicas before a state change counts as done (Redis `WAIT`, pipelined with the script: still one
   * round trip). A success that the replicas did not confirm in time fails as `store_unavailable` (outcome unknown),
   * never as a success; a refusal (wrong code, replay, lock) is answered as it is, its count possibly lost in a
   * failover. Default: on (1 replica, 500 ms) for an ioredis `Cluster` or Sentinel client, off for any other client.
   * `false` turns it off.
   */
  replicaAcks?: ReplicaAcks | false;
  /**
   * How long a state change's outcome is kept under its operation id (default 180000 ms, 3 minutes), so that a call
   * the driver sends again after a reconnect or failover answers its first outcome. Longer than the deployment's
   * failover plus the driver's reconnect time; each kept outcome is a small key in the user's slot.
   */
  resendWindowMs?: number;
}

// Printable ASCII minus space and braces: a brace in the prefix would become the Cluster hash tag (every user in
// one slot, or `{}` splitting a user's keys over slots).
const KEY_PREFIX = /^[\x21-\x7a\x7c\x7e]{0,64}$/;

/** read_budget's arguments: now, now + windowMs, the number of limits, then bucket/max pairs. */
function budgetArgs({ now, windowMs, limits }: AttemptBudget): string[] {
  if (!Array.isArray(limits) || limits.length < 1 || limits.length > 3)
    throw new RangeError('RedisMfaStore: an attempt budget has one to three limits');
  const pairs = limits.flatMap(({ bucket, max }) => [bucket, decimal(max, 'max')]);
  return [decimal(now, 'now'), decimal(now + windowMs, 'resetAt'), String(limits.length), ...pairs];
}

/**
 * State in Redis, shared by every server of the app. Each method is one Lua script (scripts.ts), so each is one
 * round trip and atomic against any number of concurrent callers, including on Redis Cluster (a user's keys share
 * one hash slot). Each state change carries a fresh operation id, so a resent call answers its first outcome; with
 * `replicaAcks`, a success also means the replicas have it.
 */
export class RedisMfaStore implements MfaStore {
  readonly name = 'redis';
  readonly #runner: ScriptRunner;
  readonly #calls: ScriptCalls;
  readonly #devices: RedisTrustedDevices;
  readonly #keyPrefix: string;

  constructor(options: RedisMfaStoreOptions) {
    const given = (options ?? {}) as Partial<RedisMfaStoreOptions>;
    const { client, keyPrefix = 'saasus-mfa:', replicaAcks, resendWindowMs = 180_000 } = given;
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
    if (!Number.isInteger(resendWindowMs) || resendWindowMs < 1_000 || resendWindowMs > 86_400_000)
      throw new MfaConfigurationError('RedisMfaStore resendWindowMs must be a whole number from 1000 to 86400000');
    this.#runner = new ScriptRunner(client as RedisScriptClient, resolveReplicaAcks(replicaAcks, client!));
    this.#calls = new ScriptCalls(this.#runner, resendWindowMs);
    this.#keyPrefix = keyPrefix;
    this.#devices = new RedisTrustedDevices(this.#calls, (userId) => this.#keys(userId));
  }

  /** The replica acknowledgement in force (`null` when off), for logs and health checks. */
  get replicaAcks(): Readonly<Required<ReplicaAcks>> | null {
    return this.#runner.acks;
  }

  async load({ userId }: UserQuery): Promise<MfaStoredState> {
    const keys = this.#keys(userId);
    return parseState(await this.#calls.read(scripts.LOAD, [keys.factor, keys.pending, keys.recovery]));
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
    const keys = this.#keys(userId);
    await this.#calls.write(scripts.SAVE_PENDING, keys, [keys.pending], [lifetime, ...fields.flat()], () => true);
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const { userId, target, secretId, step, budget, resealedSecret } = claim;
    const keys = this.#keys(userId);
    const args = [
      target === 'pending' ? 'pending' : 'factor',
      secretId,
      step === null ? '' : decimal(step, 'step'),
      resealedSecret ?? '',
      ...budgetArgs(budget),
    ];
    const reply = await this.#calls.write(
      scripts.ATTEMPT_AND_CLAIM,
      keys,
      [keys.attempts, keys.factor, keys.pending, keys.recovery],
      args,
      (answer) => parseAttemptClaim(answer).outcome === 'claimed',
    );
    return parseAttemptClaim(reply);
  }

  async activatePending({ userId, secretId, recoveryCodeHashes, now }: ActivatePending): Promise<boolean> {
    const keys = this.#keys(userId);
    const reply = await this.#calls.write(
      scripts.ACTIVATE_PENDING,
      keys,
      [keys.factor, keys.pending, keys.recovery, keys.attempts, keys.devices],
      [secretId, decimal(now, 'now'), ...recoveryCodeHashes],
      isOne,
    );
    return isOne(reply);
  }

  async useRecoveryCode({ userId, candidateHashes, budget }: UseRecoveryCode): Promise<RecoveryCodeUse> {
    const keys = this.#keys(userId);
    const reply = await this.#calls.write(
      scripts.USE_RECOVERY_CODE,
      keys,
      [keys.attempts, keys.factor, keys.recovery],
      [...budgetArgs(budget), ...candidateHashes],
      (answer) => parseRecoveryCodeUse(answer).outcome === 'used',
    );
    return parseRecoveryCodeUse(reply);
  }

  async replaceRecoveryCodes({ userId, hashes, secretId }: ReplaceRecoveryCodes): Promise<boolean> {
    const keys = this.#keys(userId);
    const only = secretId === undefined ? ['any', ''] : ['only', secretId];
    const reply = await this.#calls.write(
      scripts.REPLACE_RECOVERY_CODES,
      keys,
      [keys.factor, keys.recovery],
      [...only, ...hashes],
      isOne,
    );
    return isOne(reply);
  }

  async deleteFactor({ userId, secretId }: DeleteFactor): Promise<boolean> {
    const keys = this.#keys(userId);
    const only = secretId === undefined ? ['any', ''] : ['only', secretId];
    const reply = await this.#calls.write(
      scripts.DELETE_FACTOR,
      keys,
      [keys.factor, keys.pending, keys.recovery, keys.devices],
      only,
      // Removing the pending setup, the codes or the devices without a factor is a change too: never undone silently.
      () => true,
    );
    return isOne(reply);
  }

  async clearAttempts({ userId }: UserQuery): Promise<void> {
    const keys = this.#keys(userId);
    await this.#calls.write(scripts.CLEAR_ATTEMPTS, keys, [keys.attempts], [], () => true);
  }

  trustDevice(request: TrustDevice): Promise<TrustDeviceResult> {
    return this.#devices.trustDevice(request);
  }

  useTrustedDevice(request: UseTrustedDevice): Promise<TrustedDeviceUse> {
    return this.#devices.useTrustedDevice(request);
  }

  listTrustedDevices(request: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    return this.#devices.listTrustedDevices(request);
  }

  revokeTrustedDevice(request: RevokeTrustedDevice): Promise<TrustedDeviceRecord | null> {
    return this.#devices.revokeTrustedDevice(request);
  }

  revokeTrustedDevices(request: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    return this.#devices.revokeTrustedDevices(request);
  }

  #keys(userId: string): UserKeys {
    return userKeys(this.#keyPrefix, userId);
  }
}

function isOne(reply: unknown): boolean {
  return parseCount(reply, 'script result') === 1;
}
