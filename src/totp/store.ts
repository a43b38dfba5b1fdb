/**
 * The storage contract behind `TotpMfaProvider`.
 *
 * A store keeps, per user id: at most one enabled factor, at most one pending setup, the hashes of the user's
 * recovery codes, and an attempt counter. It never sees a secret in clear (the provider seals secrets before
 * handing them over) nor a recovery code (only hashes). Times are epoch milliseconds from the provider's clock,
 * passed in, so a fixed clock drives every store the same way in tests.
 *
 * Every method that decides something (count an attempt, claim a time step, promote a setup, consume a recovery
 * code) must be atomic against concurrent callers on any number of servers: one Lua script, one SQL statement,
 * or one synchronous block. Read-then-write from the caller's side would let a replayed code or a brute-force
 * burst slip through. The shared contract suite in `test/store-contract.test.ts` checks all of this.
 */

/** A TOTP secret at rest, sealed by the provider, with the replay-protection mark. */
export interface StoredSecret {
  /** Random id of this secret; compare-and-set operations name it so they never touch a secret that replaced it. */
  secretId: string;
  /** The sealed secret (AES-256-GCM envelope, or a marked plain form when no key is configured). Opaque to stores. */
  sealedSecret: string;
  /** Highest TOTP time step accepted for this secret; `null` before the first. Codes at or below it are replays. */
  lastStep: number | null;
}

/** A setup created by `createSetup`, waiting to be confirmed by a code and then enabled. */
export interface StoredPendingSetup extends StoredSecret {
  /** When `createSetup` stored it, in epoch ms. */
  createdAt: number;
  /** After this instant (epoch ms) the setup can no longer be confirmed or enabled. */
  expiresAt: number;
  /** True once a code from the new authenticator has been accepted. */
  confirmed: boolean;
}

/** The enabled second factor. */
export interface StoredFactor extends StoredSecret {
  /** When the setup was promoted to this factor (`activatePending`'s `now`), in epoch ms. */
  enabledAt: number;
}

/** Everything the provider needs to decide, read in one go. */
export interface MfaStoredState {
  /** The enabled factor; `null` when MFA is off. */
  factor: StoredFactor | null;
  /** The pending setup as stored, even if expired (the provider decides, so it can say "expired"). */
  pending: StoredPendingSetup | null;
  /** How many unused recovery codes the user has. */
  recoveryCodes: number;
}

/** Attempts in the current fixed window. */
export interface AttemptWindow {
  /** Attempts counted in this window, the one just counted included. */
  count: number;
  /** When the window ends and the count starts again from zero, in epoch ms. */
  resetAt: number;
}

/** Which secret a `claimStep` is about: the enabled factor or the pending setup. */
export type ClaimTarget = 'factor' | 'pending';

/**
 * How long an expired pending setup is kept (by TTL, sweep or `deleteExpired`) so that a late code is told "expired"
 * rather than "no setup". One value for every store, so the answer does not depend on where the state lives.
 */
export const EXPIRED_SETUP_GRACE_MS = 24 * 60 * 60 * 1000;

/** Names the user every store operation is about. */
export interface UserQuery {
  /** The user's id as the app passed it to `MfaClient` (non-empty); stores key everything by it. */
  userId: string;
}

/** `beginAttempt`: count one attempt in the fixed window that `now` falls in. */
export interface BeginAttempt extends UserQuery {
  /** The provider's current time, in epoch ms. */
  now: number;
  /** Length of an attempt window (the provider's `attemptWindowMs`), in ms. */
  windowMs: number;
}

/** What `beginAttempt` answers: the count after this attempt, and the state read in the same operation. */
export interface AttemptBegun {
  /** The attempt window, this attempt counted. */
  attempts: AttemptWindow;
  /** The user's state, read atomically with the count. */
  state: MfaStoredState;
}

/** `savePending`: the new pending setup for the user. */
export interface SavePending extends UserQuery {
  /** The setup to store, its secret already sealed. */
  pending: StoredPendingSetup;
}

/** `claimStep`: a compare-and-set of the target's last accepted step. */
export interface StepClaim extends UserQuery {
  /** Whose `lastStep` to advance: the enabled factor or the pending setup. */
  target: ClaimTarget;
  /** The `secretId` the code was checked against: nothing is claimed if the target holds another secret. */
  secretId: string;
  /** The TOTP time step the code matched (epoch seconds / 30, rounded down); claimed only if above `lastStep`. */
  step: number;
  /** Replaces the sealed secret in the same update (key rotation); absent to keep it. */
  resealedSecret?: string | undefined;
}

/** What `attemptAndClaim` is asked to do, for a code the provider checked against a sealed factor it had cached. */
export interface AttemptClaim extends BeginAttempt {
  /** The factor the code was checked against: nothing is claimed unless it is still the stored one. */
  secretId: string;
  /** The step the code matched, to claim; `null` when it matched none (count only, and say whether the factor is current). */
  step: number | null;
  /** Past this count in the window the attempt is refused: counted, but the step is not claimed. */
  maxAttempts: number;
  /** As in `claimStep`: replaces the sealed secret in the same update (key rotation). */
  resealedSecret?: string | undefined;
}

/**
 * - `claimed`: counted, the factor is the named one, the step was above the last one and is now claimed; the attempt
 *   counter is cleared, as by a factor claim.
 * - `locked`: counted, over `maxAttempts`: nothing else was looked at or changed.
 * - `stale`: counted, but the stored factor is not the named one (replaced, disabled, or none): nothing claimed. The
 *   state read in the same operation comes with it, so the provider can decide as after `beginAttempt`.
 * - `replayed`: counted, the factor is current, but the step is at or below its last accepted step.
 * - `counted`: counted, the factor is current, and no step was given.
 */
export type AttemptClaimResult =
  | {
      /** The step is claimed. */
      outcome: 'claimed';
    }
  | {
      /** Counted and refused, nothing claimed (see above). */
      outcome: 'locked' | 'replayed' | 'counted';
      /** The attempt window, this attempt counted. */
      attempts: AttemptWindow;
    }
  | {
      /** The named factor is not the stored one; nothing claimed. */
      outcome: 'stale';
      /** The attempt window, this attempt counted. */
      attempts: AttemptWindow;
      /** The user's state, read in the same operation. */
      state: MfaStoredState;
    };

/** `activatePending`: which confirmed setup to promote, with the new recovery code hashes. */
export interface ActivatePending extends UserQuery {
  /** The `secretId` of the setup the user confirmed: a setup replaced since then is not promoted. */
  secretId: string;
  /** Keyed hashes of the new recovery codes (never the codes); they replace any previous ones. */
  recoveryCodeHashes: readonly string[];
  /** The provider's current time, in epoch ms: compared with `expiresAt`, and the factor's `enabledAt`. */
  now: number;
}

/** `consumeRecoveryCode`: the typed recovery code, as hashes only. */
export interface ConsumeRecoveryCode extends UserQuery {
  /** The same code hashed under each configured key. */
  candidateHashes: readonly string[];
}

/** `replaceRecoveryCodes`: the user's new set of recovery codes, as hashes. */
export interface ReplaceRecoveryCodes extends UserQuery {
  /** Keyed hashes of the new recovery codes (never the codes). */
  hashes: readonly string[];
}

/**
 * Every operation but the one-round-trip `attemptAndClaim`: what a custom store implements at the least. Pass such a
 * store through `withAttemptAndClaim` to get a full `MfaStore`.
 */
export interface MfaStoreOperations {
  /** Short name for logs and benchmarks (`memory`, `redis`, `postgres`). */
  readonly name: string;

  /** Reads the user's state (no side effect). */
  load(query: UserQuery): Promise<MfaStoredState>;

  /**
   * Counts one attempt and reads the state. Counting is atomic: N concurrent calls yield counts 1..N.
   * A window starts at the first attempt and lasts `windowMs`; once `now >= resetAt` the next attempt starts a new
   * window with count 1. Attempts are counted before the code is checked, so a burst cannot outrun the limit.
   */
  beginAttempt(request: BeginAttempt): Promise<AttemptBegun>;

  /** Replaces the user's pending setup (an enabled factor is left alone). */
  savePending(request: SavePending): Promise<void>;

  /**
   * Atomic compare-and-set for replay protection. If the target (`factor` or `pending`) exists with this `secretId`
   * and its `lastStep` is null or below `step`: sets `lastStep = step` (a pending setup also becomes `confirmed`) and
   * returns true; a claim on the factor also clears the attempt counter (a success resets it). A claim on a pending
   * setup leaves the counter alone: whoever created the setup knows its secret, and must not be able to reset the
   * count that protects the factor. Otherwise changes nothing and returns false.
   * With `resealedSecret`, the sealed secret is replaced in the same atomic update: the provider passes it when the
   * secret was sealed with an older key, so key rotation migrates secrets as users sign in, at no extra round trip.
   */
  claimStep(claim: StepClaim): Promise<boolean>;

  /**
   * Atomically promotes the pending setup with this `secretId` to the enabled factor, if it is confirmed and
   * `now < expiresAt`: the factor (replacing any previous one) keeps the setup's secret and `lastStep`, the pending
   * setup is removed, the recovery code hashes replace any previous ones, and the attempt counter is cleared (the
   * user has just proven the new authenticator). Returns false, changing nothing, otherwise.
   */
  activatePending(request: ActivatePending): Promise<boolean>;

  /**
   * Atomically consumes one recovery code: removes the first stored hash found among `candidateHashes` (the same
   * code hashed under each configured key) and returns how many remain, clearing the attempt counter; returns null
   * when none matches. Two concurrent calls with the same code: exactly one gets a number.
   */
  consumeRecoveryCode(request: ConsumeRecoveryCode): Promise<number | null>;

  /** Atomically replaces all recovery code hashes, only while a factor is enabled. Returns false without a factor. */
  replaceRecoveryCodes(request: ReplaceRecoveryCodes): Promise<boolean>;

  /** Removes the factor, any pending setup and the recovery codes (not the attempt counter). True if a factor existed. */
  deleteFactor(query: UserQuery): Promise<boolean>;
}

export interface MfaStore extends MfaStoreOperations {
  /**
   * `beginAttempt` and a factor `claimStep` in one atomic operation (one round trip), for a code the provider checked
   * against the sealed factor it cached from an earlier read. Counts one attempt exactly as `beginAttempt` does,
   * refuses past `maxAttempts`, and claims `step` only if the stored factor's `secretId` is the given one (so a stale
   * cache never lets a replaced or disabled factor's codes through) and the step is above its last one. A store that
   * cannot do it in one operation gets it from `withAttemptAndClaim`, as `beginAttempt` then `claimStep`.
   */
  attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult>;
}
