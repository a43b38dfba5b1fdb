import { isMfaError } from '../errors.js';
import { invalidResponse, storeTimedOut, storeUnavailable } from '../internal/provider-failures.js';
import type {
  ActivatePending,
  AttemptBudget,
  AttemptClaim,
  AttemptClaimResult,
  AttemptWindow,
  DeleteFactor,
  MfaStore,
  MfaStoredState,
  RecoveryCodeUse,
  ReplaceRecoveryCodes,
  SavePending,
  StoredFactor,
  StoredPendingSetup,
  UseRecoveryCode,
  UserQuery,
} from './store.js';
import type {
  ListTrustedDevices,
  RevokeTrustedDevice,
  TrustDevice,
  TrustDeviceResult,
  TrustedDeviceRecord,
  TrustedDeviceUse,
  UseTrustedDevice,
} from './store-devices.js';
import { checkedDeviceOrNull, checkedDeviceUse, checkedDevices, checkedTrustResult } from './guarded-devices.js';

/**
 * The one boundary between the provider and its store. Every call is bounded by `storeTimeoutMs`, a driver failure
 * becomes a typed `store_unavailable` (its message left out: it may quote keys or arguments), and every answer is
 * checked here, once, against the contract: what comes out is what the types say, so the code behind it trusts it.
 * A custom store's slip (undefined, "0", NaN, a window missing or for another bucket) fails closed as
 * `invalid_response`, never open.
 */
export class GuardedStore {
  readonly #store: MfaStore;
  readonly #timeoutMs: number;

  constructor(store: MfaStore, timeoutMs: number) {
    this.#store = store;
    this.#timeoutMs = timeoutMs;
  }

  get name(): string {
    return this.#store.name;
  }

  async load(query: UserQuery): Promise<MfaStoredState> {
    return checkedState(await this.#call(() => this.#store.load(query)));
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const answer: unknown = await this.#call(() => this.#store.attemptAndClaim(claim));
    const { outcome, attempts, state } = (answer ?? {}) as { outcome?: unknown; attempts?: unknown; state?: unknown };
    // A count-only call (the code matched no step) has nothing to claim or replay: either is a store's slip.
    if (outcome === 'claimed' && claim.step !== null) return { outcome };
    if (outcome === 'claimed' || (outcome === 'replayed' && claim.step === null))
      throw invalidResponse('The MFA store claimed or replayed a step it was not given');
    if (outcome === 'mismatch' && claim.step !== null)
      throw invalidResponse('The MFA store counted a code that matched a step');
    if (outcome !== 'locked' && outcome !== 'replayed' && outcome !== 'mismatch' && outcome !== 'stale')
      throw invalidResponse('The MFA store answered an unknown claim outcome');
    const windows = checkedWindows(attempts, claim.budget);
    if (outcome === 'locked' && !reachesALimit(windows, claim.budget))
      throw invalidResponse('The MFA store answered locked below every limit');
    if (outcome !== 'stale') return { outcome, attempts: windows };
    if (typeof state !== 'object' || state === null)
      throw invalidResponse('The MFA store answered a stale claim without the state');
    return { outcome, attempts: windows, state: checkedState(state) };
  }

  async useRecoveryCode(request: UseRecoveryCode): Promise<RecoveryCodeUse> {
    const answer: unknown = await this.#call(() => this.#store.useRecoveryCode(request));
    const { outcome, attempts, remaining, secretId } = (answer ?? {}) as Record<string, unknown>;
    if (outcome === 'used') {
      // A count that is not a whole number ≥ 0 (null, "3") is not a match: fail closed.
      if (typeof remaining !== 'number' || !Number.isSafeInteger(remaining) || remaining < 0)
        throw invalidResponse('The MFA store answered a recovery code count that is not a number');
      if (request.candidateHashes.length === 0)
        throw invalidResponse('The MFA store used a recovery code it was not given');
      // The step-up token of this use names the factor: without its id the use cannot be confirmed.
      if (!isText(secretId)) throw invalidResponse('The MFA store used a recovery code without naming the factor');
      return { outcome, remaining, secretId };
    }
    if (outcome === 'no_factor') return { outcome };
    if (outcome !== 'locked' && outcome !== 'mismatch')
      throw invalidResponse('The MFA store answered an unknown recovery code outcome');
    const windows = checkedWindows(attempts, request.budget);
    if (outcome === 'locked' && !reachesALimit(windows, request.budget))
      throw invalidResponse('The MFA store answered locked below every limit');
    return { outcome, attempts: windows };
  }

  async savePending(request: SavePending): Promise<void> {
    await this.#call(() => this.#store.savePending(request));
  }

  async activatePending(request: ActivatePending): Promise<boolean> {
    return (await this.#call(() => this.#store.activatePending(request))) === true;
  }

  async replaceRecoveryCodes(request: ReplaceRecoveryCodes): Promise<boolean> {
    return (await this.#call(() => this.#store.replaceRecoveryCodes(request))) === true;
  }

  async deleteFactor(request: DeleteFactor): Promise<boolean> {
    return (await this.#call(() => this.#store.deleteFactor(request))) === true;
  }

  async clearAttempts(query: UserQuery): Promise<void> {
    await this.#call(() => this.#store.clearAttempts(query));
  }

  async trustDevice(request: TrustDevice): Promise<TrustDeviceResult> {
    return checkedTrustResult(await this.#call(() => this.#store.trustDevice(request)), request);
  }

  async useTrustedDevice(request: UseTrustedDevice): Promise<TrustedDeviceUse> {
    return checkedDeviceUse(await this.#call(() => this.#store.useTrustedDevice(request)), request);
  }

  async listTrustedDevices(request: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    return checkedDevices(await this.#call(() => this.#store.listTrustedDevices(request)));
  }

  async revokeTrustedDevice(request: RevokeTrustedDevice): Promise<TrustedDeviceRecord | null> {
    return checkedDeviceOrNull(await this.#call(() => this.#store.revokeTrustedDevice(request)));
  }

  async revokeTrustedDevices(request: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    return checkedDevices(await this.#call(() => this.#store.revokeTrustedDevices(request)));
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const pending = Promise.resolve(operation());
      const limitMs = this.#timeoutMs;
      if (limitMs === 0) return await pending;
      // A late answer or failure after the timeout has nobody waiting for it: swallowed, never an unhandled rejection.
      pending.catch(() => {});
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StoreTimeout(limitMs)), limitMs);
      });
      return await Promise.race([pending, timedOut]);
    } catch (error) {
      if (isMfaError(error)) throw error;
      if (error instanceof StoreTimeout) throw storeTimedOut(this.#store.name, error.limitMs);
      throw storeUnavailable(this.#store.name, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The store call outlived `storeTimeoutMs`; turned into `store_unavailable` by #call. */
class StoreTimeout extends Error {
  constructor(readonly limitMs: number) {
    super('store call timed out');
  }
}

/**
 * One window per limit, in the limits' order, each for its bucket, with a safe whole count ≥ 0 and a finite reset
 * time: a count that is not a number would compare as "not over the limit", so anything else fails closed.
 */
function checkedWindows(value: unknown, budget: AttemptBudget): AttemptWindow[] {
  if (!Array.isArray(value) || value.length !== budget.limits.length)
    throw invalidResponse('The MFA store answered attempt windows that do not match the limits');
  return value.map((window: unknown, index) => {
    const { bucket, count, resetAt } = (window ?? {}) as Partial<Record<keyof AttemptWindow, unknown>>;
    if (bucket !== budget.limits[index]!.bucket)
      throw invalidResponse('The MFA store answered attempt windows that do not match the limits');
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0 || !isTime(resetAt))
      throw invalidResponse('The MFA store answered an attempt count that is not a number');
    return { bucket, count, resetAt };
  });
}

function reachesALimit(windows: readonly AttemptWindow[], budget: AttemptBudget): boolean {
  return windows.some((window, index) => window.count >= budget.limits[index]!.max);
}

const isStep = (value: unknown): value is number | null =>
  value === null || (typeof value === 'number' && Number.isSafeInteger(value));
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** A state whose records have every field the provider reads, of the right type; else the store broke the contract. */
function checkedState(value: unknown): MfaStoredState {
  const { factor, pending, recoveryCodes } = (value ?? {}) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || !isRecordOrNull(factor) || !isRecordOrNull(pending))
    throw invalidResponse('The MFA store answered a state that is not an MfaStoredState');
  if (typeof recoveryCodes !== 'number' || !Number.isSafeInteger(recoveryCodes) || recoveryCodes < 0)
    throw invalidResponse('The MFA store answered a recovery code count that is not a number');
  return { factor: checkedFactor(factor), pending: checkedPending(pending), recoveryCodes };
}

const isRecordOrNull = (value: unknown): value is Record<string, unknown> | null =>
  value === null || typeof value === 'object';

function checkedFactor(factor: Record<string, unknown> | null): StoredFactor | null {
  if (factor === null) return null;
  const { secretId, sealedSecret, lastStep, enabledAt } = factor;
  // An enabled factor that cannot be read must not read as "no factor": that would switch MFA off for the user.
  if (!isText(secretId) || !isText(sealedSecret) || !isStep(lastStep) || !isTime(enabledAt))
    throw invalidResponse('The MFA store answered a factor record that is not readable');
  return { secretId, sealedSecret, lastStep, enabledAt };
}

function checkedPending(pending: Record<string, unknown> | null): StoredPendingSetup | null {
  if (pending === null) return null;
  const { secretId, sealedSecret, lastStep, createdAt, expiresAt, confirmed } = pending;
  if (
    !isText(secretId) ||
    !isText(sealedSecret) ||
    !isStep(lastStep) ||
    !isTime(createdAt) ||
    !isTime(expiresAt) ||
    typeof confirmed !== 'boolean'
  )
    throw invalidResponse('The MFA store answered a pending setup that is not readable');
  return { secretId, sealedSecret, lastStep, createdAt, expiresAt, confirmed };
}
