/**
 * The storage contract behind `TotpMfaProvider` (v2; what changed from the first one, and why: the CHANGELOG).
 *
 * A store keeps, per user id: at most one enabled factor, at most one pending setup, the hashes of the user's
 * recovery codes, and attempt counters ("buckets", each a fixed window). It never sees a secret in clear (the
 * provider seals secrets before handing them over) nor a recovery code (only hashes) nor a client's address (bucket
 * names carry a keyed hash of it). Times are epoch milliseconds from the provider's clock, passed in, so a fixed
 * clock drives every store the same way in tests.
 *
 * Every method that decides something (check a budget, claim a time step, promote a setup, use a recovery code) is
 * atomic against concurrent callers on any number of servers: one Lua script, one SQL statement or transaction, or
 * one synchronous block. The shared contract suites (`test/store-contract*.test.ts`) check all of this.
 */

import type { TrustedDeviceStore } from './store-devices.js';

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

/** How long an expired setup is kept, so a late code is told "expired" rather than "no setup"; one for all stores. */
export const EXPIRED_SETUP_GRACE_MS = 24 * 60 * 60 * 1000;

/** Bucket names: built by the provider, opaque to stores, safe in a Redis key, a SQL text column and a log line. */
export const BUCKET_NAME = /^[a-z][a-z0-9:_-]{0,63}$/;

/** Names the user every store operation is about. */
export interface UserQuery {
  /** The user's id as the app passed it to `MfaClient` (non-empty); stores key everything by it. */
  userId: string;
}

/** One attempt counter the operation is limited by. */
export interface AttemptLimit {
  /**
   * Which counter (matches `BUCKET_NAME`), e.g. `code` (per user), `code:c:<hash>` (per user and client), `setup`,
   * `recovery:c:<hash>`. Each (user, bucket) pair is its own fixed window.
   */
  bucket: string;
  /** The budget: once the window's count has reached `max`, the operation is refused as `locked`. */
  max: number;
}

/** The limits an operation is checked against, with the clock and the window length for new windows. */
export interface AttemptBudget {
  /** The provider's current time, in epoch ms. */
  now: number;
  /** Length of a new window (the provider's `attemptWindowMs`), in ms. */
  windowMs: number;
  /** One to three limits; all are checked, all are counted on a failure, all are cleared on a success. */
  limits: readonly AttemptLimit[];
}

/**
 * One bucket's window as the operation left it (or found it, when nothing was counted).
 * A bucket whose window has ended (`now >= resetAt`), or that was never counted, reads as `{ count: 0, resetAt: 0 }`.
 * Counting a failure in such a bucket starts a new window: `count: 1, resetAt: now + windowMs`; otherwise the
 * count goes up by one and `resetAt` stays (a fixed window: failures do not extend it).
 */
export interface AttemptWindow {
  /** The bucket, as in the limit. */
  bucket: string;
  /** Failures counted in this window. */
  count: number;
  /** When the window ends and the count starts again from zero, in epoch ms (0 when no window is open). */
  resetAt: number;
}

/** `savePending`: the new pending setup for the user. */
export interface SavePending extends UserQuery {
  /** The setup to store, its secret already sealed. */
  pending: StoredPendingSetup;
}

/** Which secret a claim is about: the enabled factor or the pending setup. */
export type ClaimTarget = 'factor' | 'pending';

/** `attemptAndClaim`: the outcome of a code the provider already checked against the target's sealed secret. */
export interface AttemptClaim extends UserQuery {
  /** Whose `lastStep` to advance: the enabled factor or the pending setup. */
  target: ClaimTarget;
  /** The `secretId` the code was checked against: nothing is claimed or counted if the target holds another secret. */
  secretId: string;
  /** The TOTP time step the code matched, to claim; `null` when it matched none (a failure, to count). */
  step: number | null;
  /** The limits this attempt is checked against and, on a failure, counted in. */
  budget: AttemptBudget;
  /** Replaces the sealed secret in the same update (key rotation); absent to keep it. Only with a step. */
  resealedSecret?: string | undefined;
}

/**
 * Decided in this order, in one atomic operation (`attempts` always lists one window per limit, in the limits' order):
 * - `locked`: some limit's window has `count >= max`. Nothing else was looked at, nothing changed or counted.
 * - `stale`: the target does not exist or holds another `secretId` (replaced, disabled, none). Nothing changed or
 *   counted; the state read in the same operation comes with it, so the provider can check the code again on it.
 * - `claimed`: `step` is not null and above the target's `lastStep` (or `lastStep` is null): `lastStep = step` (a
 *   pending setup also becomes `confirmed`), `resealedSecret` applied, and every listed bucket cleared.
 * - `replayed`: `step` is not null and at or below `lastStep`. Nothing changed or counted: a double submit or a
 *   client retry of an accepted code is not a failed guess.
 * - `mismatch`: `step` is null: every listed bucket counted one failure (windows as they are after counting).
 */
export type AttemptClaimResult =
  | {
      /** The step was claimed and the listed buckets cleared. */
      outcome: 'claimed';
    }
  | {
      /** Refused before anything changed (`locked`), not counted (`replayed`), or counted (`mismatch`). */
      outcome: 'locked' | 'replayed' | 'mismatch';
      /** One window per limit, in the limits' order (after counting, for `mismatch`). */
      attempts: AttemptWindow[];
    }
  | {
      /** The target does not hold the `secretId`: nothing changed or counted. */
      outcome: 'stale';
      /** One window per limit, in the limits' order, as found. */
      attempts: AttemptWindow[];
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

/** `useRecoveryCode`: the typed recovery code, as hashes only, checked against its own budget. */
export interface UseRecoveryCode extends UserQuery {
  /** The same code hashed under each configured key; empty when what was typed cannot be a recovery code. */
  candidateHashes: readonly string[];
  /** The recovery path's own limits (never the TOTP buckets). */
  budget: AttemptBudget;
}

/**
 * Decided in this order, in one atomic operation:
 * - `locked`: some limit's window has `count >= max`; nothing changed or counted.
 * - `no_factor`: no factor is enabled; nothing changed or counted.
 * - `used`: the first stored hash found among `candidateHashes` is removed; `remaining` is how many are left; every
 *   listed bucket is cleared. Of concurrent uses of one code, exactly one is `used`. Answers the factor's `secretId`.
 * - `mismatch`: none matches: every listed bucket counted one failure.
 */
export type RecoveryCodeUse =
  | {
      /** The code matched and was removed. */
      outcome: 'used';
      /** Unused recovery codes left. */
      remaining: number;
      /** The enabled factor's `secretId` (what a step-up token from this use names): no `load` is needed first. */
      secretId: string;
    }
  | {
      /** No factor is enabled. */
      outcome: 'no_factor';
    }
  | {
      /** Refused before anything changed (`locked`), or counted (`mismatch`). */
      outcome: 'locked' | 'mismatch';
      /** One window per limit, in the limits' order (after counting, for `mismatch`). */
      attempts: AttemptWindow[];
    };

/** `replaceRecoveryCodes`: the user's new set of recovery codes, as hashes. */
export interface ReplaceRecoveryCodes extends UserQuery {
  /** Keyed hashes of the new recovery codes (never the codes). */
  hashes: readonly string[];
  /** Only if the enabled factor has this `secretId` (a step-up proof names the factor it was given for). */
  secretId?: string | undefined;
}

/** `deleteFactor`: turn MFA off. */
export interface DeleteFactor extends UserQuery {
  /** Only if the enabled factor has this `secretId`; absent: whatever factor is enabled (administrative reset). */
  secretId?: string | undefined;
}

/** What a store implements (the trusted-device operations are in `store-devices.ts`). */
export interface MfaStore extends TrustedDeviceStore {
  /** Short name for logs and benchmarks (`memory`, `redis`, `postgres`, `sqlite`). */
  readonly name: string;

  /** Reads the user's state (no side effect). */
  load(query: UserQuery): Promise<MfaStoredState>;

  /** Replaces the user's pending setup (an enabled factor is left alone). */
  savePending(request: SavePending): Promise<void>;

  /** Budget check, claim or count, in one atomic operation; see `AttemptClaimResult` for the order of decisions. */
  attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult>;

  /**
   * Atomically promotes the pending setup with this `secretId` to the enabled factor, if it is confirmed and
   * `now < expiresAt`: the factor (replacing any previous one) keeps the setup's secret and `lastStep`, the pending
   * setup is removed, the recovery code hashes replace any previous ones, every attempt bucket of the user is
   * cleared (the user has just proven the new authenticator) and every trusted device is removed (a new factor).
   * Returns false, changing nothing, otherwise.
   */
  activatePending(request: ActivatePending): Promise<boolean>;

  /** Budget check and recovery-code use in one atomic operation; see `RecoveryCodeUse`. */
  useRecoveryCode(request: UseRecoveryCode): Promise<RecoveryCodeUse>;

  /** Atomically replaces all recovery code hashes, only while a factor (with `secretId`, if given) is enabled. */
  replaceRecoveryCodes(request: ReplaceRecoveryCodes): Promise<boolean>;

  /**
   * Without `secretId`: removes the factor, any pending setup, the recovery codes and the trusted devices. With
   * `secretId`: the same, but only if the enabled factor has that `secretId`; otherwise changes nothing. The attempt
   * buckets stay either way. True if it removed a factor.
   */
  deleteFactor(request: DeleteFactor): Promise<boolean>;

  /** Removes every attempt bucket of the user (`unlock`, `adminReset`). */
  clearAttempts(query: UserQuery): Promise<void>;
}
