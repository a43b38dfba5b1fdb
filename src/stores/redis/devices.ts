import type {
  ListTrustedDevices,
  RevokeTrustedDevice,
  TrustDevice,
  TrustDeviceResult,
  TrustedDeviceRecord,
  TrustedDeviceStore,
  TrustedDeviceUse,
  UseTrustedDevice,
} from '../../totp/store-devices.js';
import {
  parseRevokedDevice,
  parseRevokedDevices,
  parseTrustDevice,
  parseTrustedDeviceUse,
  parseTrustedDevices,
} from './device-replies.js';
import * as scripts from './device-scripts.js';
import type { UserKeys } from './keys.js';
import { decimal, type ScriptCalls } from './script-calls.js';

/**
 * The trusted-device half of `RedisMfaStore`: each operation one script on the user's factor and devices keys (one
 * hash slot), so one round trip and atomic, on Cluster too. With replica acknowledgement, every answer that a device
 * was stored, removed or used waits for the replicas (`WAIT`, pipelined with the script):
 * - `trusted` from trustDevice: the token is shown once; one a failover can forget would be a token that never works.
 * - a revoke: answered done only once the replicas have it, so no failover brings the device back.
 * - `trusted` from useTrustedDevice: it lets the user skip the second factor, a success like a claimed code. Its only
 *   write (lastUsedAt) could be lost harmlessly: it changes a record that exists, never re-creates one. But a primary
 *   cut off from its replicas may still answer for a device that was revoked on the side that took over; such a
 *   primary cannot get the acknowledgement, so it answers `store_unavailable` instead of `trusted`. An `untrusted`
 *   answer is given as it is: it grants nothing.
 */
export class RedisTrustedDevices implements TrustedDeviceStore {
  readonly #calls: ScriptCalls;
  readonly #keys: (userId: string) => UserKeys;

  constructor(calls: ScriptCalls, keys: (userId: string) => UserKeys) {
    this.#calls = calls;
    this.#keys = keys;
  }

  async trustDevice({ userId, device, maxDevices, now }: TrustDevice): Promise<TrustDeviceResult> {
    if (!Number.isInteger(maxDevices) || maxDevices < 1)
      throw new RangeError('RedisMfaStore: maxDevices must be a whole number of at least 1');
    const keys = this.#keys(userId);
    const args = [
      device.tokenHash,
      device.id,
      device.label,
      device.secretId,
      decimal(device.createdAt, 'createdAt'),
      decimal(device.lastUsedAt, 'lastUsedAt'),
      decimal(device.expiresAt, 'expiresAt'),
      String(maxDevices),
      decimal(now, 'now'),
    ];
    const reply = await this.#calls.write(
      scripts.TRUST_DEVICE,
      keys,
      [keys.factor, keys.devices],
      args,
      (answer) => parseTrustDevice(answer).outcome === 'trusted',
    );
    return parseTrustDevice(reply);
  }

  async useTrustedDevice({ userId, candidateHashes, now }: UseTrustedDevice): Promise<TrustedDeviceUse> {
    const keys = this.#keys(userId);
    const reply = await this.#calls.acknowledged(
      scripts.USE_TRUSTED_DEVICE,
      [keys.factor, keys.devices],
      [decimal(now, 'now'), ...candidateHashes],
      (answer) => parseTrustedDeviceUse(answer).outcome === 'trusted',
    );
    return parseTrustedDeviceUse(reply);
  }

  async listTrustedDevices({ userId, now }: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    const keys = this.#keys(userId);
    const reply = await this.#calls.read(
      scripts.LIST_TRUSTED_DEVICES,
      [keys.factor, keys.devices],
      [decimal(now, 'now')],
    );
    return parseTrustedDevices(reply);
  }

  async revokeTrustedDevice({ userId, deviceId }: RevokeTrustedDevice): Promise<TrustedDeviceRecord | null> {
    const keys = this.#keys(userId);
    const reply = await this.#calls.write(
      scripts.REVOKE_TRUSTED_DEVICE,
      keys,
      [keys.devices],
      [deviceId],
      (answer) => parseRevokedDevice(answer) !== null,
    );
    return parseRevokedDevice(reply);
  }

  async revokeTrustedDevices({ userId, now }: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    const keys = this.#keys(userId);
    const reply = await this.#calls.write(
      scripts.REVOKE_TRUSTED_DEVICES,
      keys,
      [keys.factor, keys.devices],
      [decimal(now, 'now')],
      // Removing devices that no longer counted is a change too: a failover must not bring them back unannounced.
      () => true,
    );
    return parseRevokedDevices(reply);
  }
}
