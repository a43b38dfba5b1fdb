import {
  EXPIRED_SETUP_GRACE_MS,
  type ActivatePending,
  type AttemptBudget,
  type AttemptClaim,
  type AttemptClaimResult,
  type AttemptWindow,
  type DeleteFactor,
  type MfaStore,
  type MfaStoredState,
  type RecoveryCodeUse,
  type ReplaceRecoveryCodes,
  type SavePending,
  type StoredFactor,
  type StoredPendingSetup,
  type UseRecoveryCode,
  type UserQuery,
} from './store.js';
import type {
  ListTrustedDevices,
  RevokeTrustedDevice,
  StoredTrustedDevice,
  TrustDevice,
  TrustDeviceResult,
  TrustedDeviceRecord,
  TrustedDeviceUse,
  UseTrustedDevice,
} from './store-devices.js';
import { addWithinLimit, oldestFirst, withoutHash } from './memory-devices.js';

/** A bucket's open window: failures counted and when it ends. */
interface OpenWindow {
  count: number;
  resetAt: number;
}

interface UserRecord {
  factor: StoredFactor | null;
  pending: StoredPendingSetup | null;
  recoveryCodes: Set<string>;
  /** Attempt buckets by name; a window that has ended counts as absent. */
  attempts: Map<string, OpenWindow>;
  /** Trusted devices by id. */
  devices: Map<string, StoredTrustedDevice>;
}

/**
 * State in this process's memory: the default store, for development and tests. It is lost on restart and not
 * shared between processes; use `RedisMfaStore` or `PostgresMfaStore` when the app runs on several servers, and
 * `SqliteMfaStore` for one server that keeps its state across restarts.
 *
 * Every method does its work synchronously before its promise settles, so each is atomic within the process.
 * Records are copied in and out: a caller can never change stored state by mutating what it got. It is also the
 * reference implementation of the contract in `store.ts`: the other stores do the same steps in a script or a
 * statement.
 */
export class MemoryMfaStore implements MfaStore {
  readonly name = 'memory';
  // Plain `private`, not `#`: what the store holds (sealed secrets, hashes) stays visible to util.inspect for debugging.
  private readonly users = new Map<string, UserRecord>();
  #sweepAt = 1024;

  async load({ userId }: UserQuery): Promise<MfaStoredState> {
    return this.#snapshot(this.users.get(userId));
  }

  async savePending({ userId, pending }: SavePending): Promise<void> {
    this.#sweep(pending.createdAt);
    this.#record(userId).pending = { ...pending };
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const { userId, target, secretId, step, budget, resealedSecret } = claim;
    this.#sweep(budget.now);
    const record = this.#record(userId);
    const found = windowsOf(record, budget);
    if (isLocked(found, budget)) return { outcome: 'locked', attempts: found };
    const secret = target === 'factor' ? record.factor : record.pending;
    if (secret === null || secret.secretId !== secretId)
      return { outcome: 'stale', attempts: found, state: this.#snapshot(record) };
    if (step === null) return { outcome: 'mismatch', attempts: countFailure(record, budget) };
    if (secret.lastStep !== null && secret.lastStep >= step) return { outcome: 'replayed', attempts: found };
    secret.lastStep = step;
    if (resealedSecret !== undefined) secret.sealedSecret = resealedSecret;
    if (target === 'pending') (secret as StoredPendingSetup).confirmed = true;
    clearBuckets(record, budget);
    return { outcome: 'claimed' };
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
    record.attempts.clear();
    record.devices.clear();
    return true;
  }

  async useRecoveryCode({ userId, candidateHashes, budget }: UseRecoveryCode): Promise<RecoveryCodeUse> {
    this.#sweep(budget.now);
    const record = this.#record(userId);
    const found = windowsOf(record, budget);
    if (isLocked(found, budget)) return { outcome: 'locked', attempts: found };
    if (record.factor === null) return { outcome: 'no_factor' };
    const hash = candidateHashes.find((candidate) => record.recoveryCodes.has(candidate));
    if (hash === undefined) return { outcome: 'mismatch', attempts: countFailure(record, budget) };
    record.recoveryCodes.delete(hash);
    clearBuckets(record, budget);
    return { outcome: 'used', remaining: record.recoveryCodes.size, secretId: record.factor.secretId };
  }

  async replaceRecoveryCodes({ userId, hashes, secretId }: ReplaceRecoveryCodes): Promise<boolean> {
    const record = this.users.get(userId);
    if (!record?.factor || (secretId !== undefined && record.factor.secretId !== secretId)) return false;
    record.recoveryCodes = new Set(hashes);
    return true;
  }

  async deleteFactor({ userId, secretId }: DeleteFactor): Promise<boolean> {
    const record = this.users.get(userId);
    if (!record) return false;
    if (secretId !== undefined && record.factor?.secretId !== secretId) return false;
    const existed = record.factor !== null;
    record.factor = null;
    record.pending = null;
    record.recoveryCodes = new Set();
    record.devices.clear();
    return existed;
  }

  async clearAttempts({ userId }: UserQuery): Promise<void> {
    this.users.get(userId)?.attempts.clear();
  }

  async trustDevice({ userId, device, maxDevices, now }: TrustDevice): Promise<TrustDeviceResult> {
    const record = this.users.get(userId);
    if (!record?.factor || record.factor.secretId !== device.secretId) return { outcome: 'stale' };
    return { outcome: 'trusted', dropped: addWithinLimit(record.devices, device, maxDevices, now) };
  }

  async useTrustedDevice({ userId, candidateHashes, now }: UseTrustedDevice): Promise<TrustedDeviceUse> {
    const record = this.users.get(userId);
    const factor = record?.factor ?? null;
    const device = [...(record?.devices.values() ?? [])].find((stored) => candidateHashes.includes(stored.tokenHash));
    if (!factor || !device || now >= device.expiresAt || device.secretId !== factor.secretId)
      return { outcome: 'untrusted', factorEnabled: factor !== null };
    device.lastUsedAt = now;
    return { outcome: 'trusted', device: withoutHash(device) };
  }

  async listTrustedDevices({ userId, now }: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    const record = this.users.get(userId);
    const factor = record?.factor;
    if (!record || !factor) return [];
    const counting = [...record.devices.values()].filter((d) => now < d.expiresAt && d.secretId === factor.secretId);
    return oldestFirst(counting).map(withoutHash);
  }

  async revokeTrustedDevice({ userId, deviceId }: RevokeTrustedDevice): Promise<TrustedDeviceRecord | null> {
    const record = this.users.get(userId);
    const device = record?.devices.get(deviceId);
    if (!record || !device) return null;
    record.devices.delete(deviceId);
    return withoutHash(device);
  }

  async revokeTrustedDevices({ userId, now }: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    const counting = await this.listTrustedDevices({ userId, now });
    this.users.get(userId)?.devices.clear();
    return counting;
  }

  #record(userId: string): UserRecord {
    let record = this.users.get(userId);
    if (!record) {
      record = { factor: null, pending: null, recoveryCodes: new Set(), attempts: new Map(), devices: new Map() };
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
      for (const [bucket, window] of record.attempts) if (now >= window.resetAt) record.attempts.delete(bucket);
      for (const [id, device] of record.devices) if (now >= device.expiresAt) record.devices.delete(id);
      if (record.pending && now >= record.pending.expiresAt + EXPIRED_SETUP_GRACE_MS) record.pending = null;
      if (
        !record.factor &&
        !record.pending &&
        record.attempts.size === 0 &&
        record.recoveryCodes.size === 0 &&
        record.devices.size === 0
      )
        this.users.delete(userId);
    }
    this.#sweepAt = Math.max(1024, this.users.size * 2);
  }
}

/** Each limit's window as it stands at `budget.now`: an ended or absent window reads as `{ count: 0, resetAt: 0 }`. */
function windowsOf(record: UserRecord, budget: AttemptBudget): AttemptWindow[] {
  return budget.limits.map(({ bucket }) => {
    const open = record.attempts.get(bucket);
    return open !== undefined && budget.now < open.resetAt
      ? { bucket, count: open.count, resetAt: open.resetAt }
      : { bucket, count: 0, resetAt: 0 };
  });
}

function isLocked(windows: readonly AttemptWindow[], budget: AttemptBudget): boolean {
  return windows.some((window, index) => window.count >= budget.limits[index]!.max);
}

/** Counts one failure in every limit's bucket (a new window where the last one ended); answers the windows after it. */
function countFailure(record: UserRecord, budget: AttemptBudget): AttemptWindow[] {
  return windowsOf(record, budget).map(({ bucket, count, resetAt }) => {
    const next = count === 0 ? { count: 1, resetAt: budget.now + budget.windowMs } : { count: count + 1, resetAt };
    record.attempts.set(bucket, next);
    return { bucket, ...next };
  });
}

function clearBuckets(record: UserRecord, budget: AttemptBudget): void {
  for (const { bucket } of budget.limits) record.attempts.delete(bucket);
}
