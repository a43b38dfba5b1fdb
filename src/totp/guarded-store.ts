import { isMfaError } from '../errors.js';
import { invalidResponse, storeTimedOut, storeUnavailable } from '../internal/provider-failures.js';
import type {
  ActivatePending,
  AttemptBegun,
  AttemptClaim,
  AttemptClaimResult,
  AttemptWindow,
  BeginAttempt,
  ConsumeRecoveryCode,
  MfaStore,
  MfaStoredState,
  ReplaceRecoveryCodes,
  SavePending,
  StepClaim,
  StoredFactor,
  StoredPendingSetup,
  UserQuery,
} from './store.js';

/**
 * The one boundary between the provider and its store. Every call is bounded by `storeTimeoutMs`, a driver failure
 * becomes a typed `store_unavailable` (its message left out: it may quote keys or arguments), and every answer is
 * checked here, once, against the contract: what comes out is what the types say, so the code behind it trusts it.
 * A custom store's slip (undefined, "0", NaN) fails closed as `invalid_response`, never open.
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

  async beginAttempt(request: BeginAttempt): Promise<AttemptBegun> {
    const begun = await this.#call(() => this.#store.beginAttempt(request));
    return { attempts: checkedAttempts(begun?.attempts), state: checkedState(begun?.state) };
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const answer: unknown = await this.#call(() => this.#store.attemptAndClaim(claim));
    const { outcome, attempts, state } = (answer ?? {}) as { outcome?: unknown; attempts?: unknown; state?: unknown };
    // A count-only call (the code matched no step) has nothing to claim: `claimed` then is a store's slip, not a pass.
    if (outcome === 'claimed' && claim.step !== null) return { outcome };
    if (outcome === 'claimed') throw invalidResponse('The MFA store claimed a step it was not given');
    if (outcome !== 'locked' && outcome !== 'replayed' && outcome !== 'counted' && outcome !== 'stale')
      throw invalidResponse('The MFA store answered an unknown claim outcome');
    const window = checkedAttempts(attempts);
    if (outcome !== 'stale') return { outcome, attempts: window };
    if (typeof state !== 'object' || state === null)
      throw invalidResponse('The MFA store answered a stale claim without the state');
    return { outcome, attempts: window, state: checkedState(state) };
  }

  async savePending(request: SavePending): Promise<void> {
    await this.#call(() => this.#store.savePending(request));
  }

  /** Only `true` is a claim: anything else (1, "true", undefined) is "not claimed". */
  async claimStep(claim: StepClaim): Promise<boolean> {
    return (await this.#call(() => this.#store.claimStep(claim))) === true;
  }

  async activatePending(request: ActivatePending): Promise<boolean> {
    return (await this.#call(() => this.#store.activatePending(request))) === true;
  }

  /** The codes left, or null for "no such code": a count that is not a whole number ≥ 0 is not a match. */
  async consumeRecoveryCode(request: ConsumeRecoveryCode): Promise<number | null> {
    const remaining: unknown = await this.#call(() => this.#store.consumeRecoveryCode(request));
    return typeof remaining === 'number' && Number.isSafeInteger(remaining) && remaining >= 0 ? remaining : null;
  }

  async replaceRecoveryCodes(request: ReplaceRecoveryCodes): Promise<boolean> {
    return (await this.#call(() => this.#store.replaceRecoveryCodes(request))) === true;
  }

  async deleteFactor(query: UserQuery): Promise<boolean> {
    return (await this.#call(() => this.#store.deleteFactor(query))) === true;
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

/** A count that is not a number would compare as "not over the limit": fail closed. */
function checkedAttempts(value: unknown): AttemptWindow {
  const { count, resetAt } = (value ?? {}) as Partial<Record<keyof AttemptWindow, unknown>>;
  if (
    typeof count !== 'number' ||
    !Number.isSafeInteger(count) ||
    typeof resetAt !== 'number' ||
    !Number.isFinite(resetAt)
  )
    throw invalidResponse('The MFA store answered an attempt count that is not a number');
  return { count, resetAt };
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
