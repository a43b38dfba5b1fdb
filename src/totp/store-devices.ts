/**
 * The trusted-device part of the storage contract (`MfaStore`, src/totp/store.ts): "don't ask again on this browser".
 *
 * A store keeps, per user, at most `maxDevices` trusted devices, each with a keyed hash of its device token (never
 * the token), the `secretId` of the factor it was trusted under, a label and three times. A device only counts while
 * it has not expired AND the user's enabled factor still has that `secretId`: disabling, an administrative reset and
 * a new enrolment remove every device of the user (`deleteFactor`, `activatePending`), and the `secretId` check
 * closes the door even on a device row a store failed to remove.
 *
 * Every method is atomic against concurrent callers, like the rest of the contract: of a revoke and a use that race,
 * the use either happens before the revoke (and is answered `trusted`) or is answered `untrusted`.
 */

/** A trusted device as the store lists it: everything but the token's hash. Times are epoch ms. */
export interface TrustedDeviceRecord {
  /** Random id (a UUID): shown to the user, used to revoke. Not a secret. */
  id: string;
  /** What the app called the device (a user-agent summary, or a name the user gave); 1-200 characters. */
  label: string;
  /** The `secretId` of the factor it was trusted under. */
  secretId: string;
  /** When it was trusted. */
  createdAt: number;
  /** When it last let the user skip the code (`createdAt` until then). */
  lastUsedAt: number;
  /** After this instant it no longer counts (a fixed expiry: use does not extend it). */
  expiresAt: number;
}

/** A trusted device as stored. */
export interface StoredTrustedDevice extends TrustedDeviceRecord {
  /** Keyed hash of the device token (opaque to stores, like recovery-code hashes). Unique per user. */
  tokenHash: string;
}

/** `trustDevice`: a new trusted device for the user's enabled factor. */
export interface TrustDevice {
  /** The user's id. */
  userId: string;
  /** The device to store; its `secretId` names the factor the user just proved. */
  device: StoredTrustedDevice;
  /** At most this many devices are kept after the insert (at least 1). */
  maxDevices: number;
  /** The provider's current time, in epoch ms. */
  now: number;
}

/**
 * Decided in one atomic operation:
 * - `stale`: no factor is enabled, or it has another `secretId` than `device.secretId`: nothing changed.
 * - `trusted`: the device is stored. Then every device with `expiresAt <= now` is removed (not listed), and while the
 *   user has more than `maxDevices`, the oldest (smallest `createdAt`, then smallest `id`; never the new one) is
 *   removed and listed in `dropped`, oldest first.
 */
export type TrustDeviceResult =
  | {
      /** The device was stored. */
      outcome: 'trusted';
      /** Devices removed to stay within `maxDevices`, oldest first (empty when none). */
      dropped: TrustedDeviceRecord[];
    }
  | {
      /** The factor it was for is not the enabled one (or none is): nothing changed. */
      outcome: 'stale';
    };

/** `useTrustedDevice`: the device token, as hashes only. */
export interface UseTrustedDevice {
  /** The user's id. */
  userId: string;
  /** The token hashed under each configured key (newest first); empty when what was given cannot be a token. */
  candidateHashes: readonly string[];
  /** The provider's current time, in epoch ms. */
  now: number;
}

/**
 * Decided in one atomic operation:
 * - `trusted`: a device of the user has a `tokenHash` among `candidateHashes`, `now < expiresAt`, and the enabled
 *   factor has its `secretId`. Its `lastUsedAt` becomes `now`; the record is answered as it is after that.
 * - `untrusted`: anything else (no such device, expired, another factor, no factor). Nothing changed, except that a
 *   store may remove a matching device that can no longer count. `factorEnabled` says whether a factor is enabled,
 *   so the login check needs no second round trip.
 */
export type TrustedDeviceUse =
  | {
      /** The device counts: the user may skip the code. */
      outcome: 'trusted';
      /** The device, `lastUsedAt` updated. */
      device: TrustedDeviceRecord;
    }
  | {
      /** The device does not count. */
      outcome: 'untrusted';
      /** Whether the user has an enabled factor (MFA on). */
      factorEnabled: boolean;
    };

/** `listTrustedDevices`: the user's devices that count at `now`. */
export interface ListTrustedDevices {
  /** The user's id. */
  userId: string;
  /** The provider's current time, in epoch ms. */
  now: number;
}

/** `revokeTrustedDevice`: one device, by its id. */
export interface RevokeTrustedDevice {
  /** The user's id. */
  userId: string;
  /** The device's id, as listed. */
  deviceId: string;
}

/** The trusted-device operations every `MfaStore` implements. */
export interface TrustedDeviceStore {
  /** Stores a trusted device for the enabled factor, within the user's limit; see `TrustDeviceResult`. */
  trustDevice(request: TrustDevice): Promise<TrustDeviceResult>;
  /** The login-time check of a device token, and its `lastUsedAt`, in one atomic operation; see `TrustedDeviceUse`. */
  useTrustedDevice(request: UseTrustedDevice): Promise<TrustedDeviceUse>;
  /**
   * The devices that count at `now` (not expired, trusted under the enabled factor's `secretId`; none when MFA is
   * off), oldest first (`createdAt`, then `id`). Never the token hashes. No side effect.
   */
  listTrustedDevices(request: ListTrustedDevices): Promise<TrustedDeviceRecord[]>;
  /** Removes the user's device with this id; answers it as it was, or null when the user has none with that id. */
  revokeTrustedDevice(request: RevokeTrustedDevice): Promise<TrustedDeviceRecord | null>;
  /** Removes every trusted device of the user (expired ones too); answers those that counted at `now`, oldest first. */
  revokeTrustedDevices(request: ListTrustedDevices): Promise<TrustedDeviceRecord[]>;
}
