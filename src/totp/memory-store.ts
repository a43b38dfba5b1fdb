import {
  EXPIRED_SETUP_GRACE_MS,
  type ActivatePending,
  type AttemptBegun,
  type AttemptClaim,
  type AttemptClaimResult,
  type AttemptWindow,
  type BeginAttempt,
  type ConsumeRecoveryCode,
  type MfaStore,
  type MfaStoredState,
  type ReplaceRecoveryCodes,
  type SavePending,
  type StepClaim,
  type StoredFactor,
  type StoredPendingSetup,
  type UserQuery,
} from './store.js';

interface UserRecord {
  factor: StoredFactor | null;
  pending: StoredPendingSetup | null;
  recoveryCodes: Set<string>;
  attempts: AttemptWindow | null;
}

/**
 * State in this process's memory: the default store, for development and tests. It is lost on restart and not
 * shared between processes; use `RedisMfaStore` or `PostgresMfaStore` when the app runs on several servers.
 *
 * Every method does its work synchronously before its promise settles, so each is atomic within the process.
 * Records are copied in and out: a caller can never change stored state by mutating what it got.
 */
export class MemoryMfaStore implements MfaStore {
  readonly name = 'memory';
  // Plain `private`, not `#`: what the store holds (sealed secrets, hashes) stays visible to util.inspect for debugging.
  private readonly users = new Map<string, UserRecord>();
  #sweepAt = 1024;

  async load({ userId }: UserQuery): Promise<MfaStoredState> {
    return this.#snapshot(this.users.get(userId));
  }

  async beginAttempt({ userId, now, windowMs }: BeginAttempt): Promise<AttemptBegun> {
    const record = this.#count(userId, now, windowMs);
    return { attempts: { ...record.attempts! }, state: this.#snapshot(record) };
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const record = this.#count(claim.userId, claim.now, claim.windowMs);
    const attempts = { ...record.attempts! };
    if (attempts.count > claim.maxAttempts) return { outcome: 'locked', attempts };
    const factor = record.factor;
    if (factor === null || factor.secretId !== claim.secretId)
      return { outcome: 'stale', attempts, state: this.#snapshot(record) };
    if (claim.step === null) return { outcome: 'counted', attempts };
    if (factor.lastStep !== null && factor.lastStep >= claim.step) return { outcome: 'replayed', attempts };
    factor.lastStep = claim.step;
    if (claim.resealedSecret !== undefined) factor.sealedSecret = claim.resealedSecret;
    record.attempts = null;
    return { outcome: 'claimed' };
  }

  async savePending({ userId, pending }: SavePending): Promise<void> {
    this.#sweep(pending.createdAt);
    this.#record(userId).pending = { ...pending };
  }

  async claimStep({ userId, target, secretId, step, resealedSecret }: StepClaim): Promise<boolean> {
    const record = this.users.get(userId);
    const secret = target === 'factor' ? record?.factor : record?.pending;
    if (!record || !secret || secret.secretId !== secretId) return false;
    if (secret.lastStep !== null && secret.lastStep >= step) return false;
    secret.lastStep = step;
    if (resealedSecret !== undefined) secret.sealedSecret = resealedSecret;
    if (target === 'pending') (secret as StoredPendingSetup).confirmed = true;
    else record.attempts = null;
    return true;
  }

  async activatePending({ userId, secretId, recoveryCodeHashes, now }: ActivatePending): Promise<boolean> {
    const record = this.users.get(userId);
    const pending = record?.pending;
    if (!record || !pending || pending.secretId !== secretId || !pending.confirmed || now >= pending.expiresAt)
      return false;
    record.factor = {
      secretId: pending.secretId,
      sealedSecret: pending.sealedSecret,
      lastStep: pending.lastStep,
      enabledAt: now,
    };
    record.pending = null;
    record.recoveryCodes = new Set(recoveryCodeHashes);
    record.attempts = null;
    return true;
  }

  async consumeRecoveryCode({ userId, candidateHashes }: ConsumeRecoveryCode): Promise<number | null> {
    const record = this.users.get(userId);
    if (!record) return null;
    const found = candidateHashes.find((hash) => record.recoveryCodes.has(hash));
    if (found === undefined) return null;
    record.recoveryCodes.delete(found);
    record.attempts = null;
    return record.recoveryCodes.size;
  }

  async replaceRecoveryCodes({ userId, hashes }: ReplaceRecoveryCodes): Promise<boolean> {
    const record = this.users.get(userId);
    if (!record?.factor) return false;
    record.recoveryCodes = new Set(hashes);
    return true;
  }

  async deleteFactor({ userId }: UserQuery): Promise<boolean> {
    const record = this.users.get(userId);
    if (!record) return false;
    const existed = record.factor !== null;
    record.factor = null;
    record.pending = null;
    record.recoveryCodes = new Set();
    return existed;
  }

  /** Counts one attempt in the user's fixed window, starting a new window once the last one has ended. */
  #count(userId: string, now: number, windowMs: number): UserRecord {
    this.#sweep(now);
    const record = this.#record(userId);
    const current = record.attempts;
    record.attempts =
      current === null || now >= current.resetAt
        ? { count: 1, resetAt: now + windowMs }
        : { count: current.count + 1, resetAt: current.resetAt };
    return record;
  }

  #record(userId: string): UserRecord {
    let record = this.users.get(userId);
    if (!record) {
      record = { factor: null, pending: null, recoveryCodes: new Set(), attempts: null };
      this.users.set(userId, record);
    }
    return record;
  }

  #snapshot(record: UserRecord | undefined): MfaStoredState {
    return {
      factor: record?.factor ? { ...record.factor } : null,
      pending: record?.pending ? { ...record.pending } : null,
      recoveryCodes: record?.recoveryCodes.size ?? 0,
    };
  }

  /** Drops what can no longer matter (ended attempt windows, long-expired setups), amortised over writes. */
  #sweep(now: number): void {
    if (this.users.size < this.#sweepAt) return;
    for (const [userId, record] of this.users) {
      if (record.attempts && now >= record.attempts.resetAt) record.attempts = null;
      if (record.pending && now >= record.pending.expiresAt + EXPIRED_SETUP_GRACE_MS) record.pending = null;
      if (!record.factor && !record.pending && !record.attempts && record.recoveryCodes.size === 0)
        this.users.delete(userId);
    }
    this.#sweepAt = Math.max(1024, this.users.size * 2);
  }
}
