import type { MfaUser } from '../../src/index.js';
import type { MfaEvent, MfaStore, StoredTrustedDevice, TrustDevice } from '../../src/totp/index.js';
import { STEP_MS, type totpHarness } from './totp.js';

/** A harness as `totpHarness` makes it. */
export type Harness = ReturnType<typeof totpHarness>;

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A device token of the right shape that no device was ever trusted with. */
export const UNKNOWN_TOKEN = `d1.${'A'.repeat(43)}`;

/**
 * Passes the login with the current code and trusts the browser (`label`): answers the device token. Leaves the
 * clock one step later, so the next code is a new one.
 */
export async function trustBrowser(harness: Harness, user: MfaUser, secret: string, label = 'Firefox on macOS') {
  const result = await harness.client.verifySecondFactor(user, harness.authenticator.code(secret), {
    trustDevice: { label },
  });
  harness.clock.advance(STEP_MS);
  if (result.deviceToken === undefined) throw new Error('verifySecondFactor with trustDevice gave no device token');
  return result.deviceToken;
}

/** Whether the login asks for a code with this device token (true) or lets the user in (false). */
export const asksForCode = (harness: Harness, user: MfaUser, deviceToken: unknown) =>
  harness.client.needsSecondFactor(user, { deviceToken: deviceToken as string });

/** The device events, as `type:reason` (reason for revocations only), in order. */
export const deviceEvents = (events: MfaEvent[]) =>
  events.flatMap((e) =>
    e.type === 'device_revoked' ? [`${e.type}:${e.reason}`] : e.type.startsWith('device_') ? [e.type] : [],
  );

/** The `verify_failed` events, as `reason:attempts`. */
export const failures = (events: MfaEvent[]) =>
  events.flatMap((e) => (e.type === 'verify_failed' ? [`${e.reason}:${e.attempts}`] : []));

/**
 * The store, with every device the provider asks it to trust noted as stored (hash included), and their hashes: a
 * forwarding proxy, the store's own code runs.
 */
export function notingTrusts(store: MfaStore): { store: MfaStore; hashes: string[]; devices: StoredTrustedDevice[] } {
  const devices: StoredTrustedDevice[] = [];
  const hashes: string[] = [];
  const proxy = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'trustDevice') {
          const { device } = args[0] as TrustDevice;
          devices.push({ ...device });
          hashes.push(device.tokenHash);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, hashes, devices };
}
