import { MfaValidationError } from '../errors.js';
import { textProblem } from './validation.js';

/* The trusted-device inputs of MfaClient, checked before any provider call. A token's value is never echoed. */

const MAX_LABEL_LENGTH = 200;
const MAX_DEVICE_ID_LENGTH = 100;

/** Reads a field of the caller's object; a throwing getter or Proxy is input the SDK cannot use. */
function field(options: object, name: string, where: string): unknown {
  try {
    return (options as Record<string, unknown>)[name];
  } catch {
    throw new MfaValidationError(`${where} could not be read`, { field: where });
  }
}

/** A device label: trimmed, 1-200 characters, no control characters (it is shown in a list and goes into events). */
export function checkDeviceLabel(value: unknown): string {
  const where = 'trustDevice.label';
  if (typeof value !== 'string') throw new MfaValidationError(`${where} must be a string`, { field: where });
  const label = value.trim();
  if (label === '') throw new MfaValidationError(`${where} must not be blank`, { field: where });
  if (label.length > MAX_LABEL_LENGTH)
    throw new MfaValidationError(`${where} is longer than ${MAX_LABEL_LENGTH} characters`, { field: where });
  const problem = textProblem(label);
  if (problem) throw new MfaValidationError(`${where} ${problem}`, { field: where });
  return label;
}

/**
 * The `trustDevice` option of `verifySecondFactor`: the clean label, or undefined when the caller did not ask.
 * Read before the code is checked, so a bad label costs the user no attempt and no recovery code.
 */
export function readTrustDevice(options: unknown): string | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const trustDevice = field(options, 'trustDevice', 'trustDevice');
  if (trustDevice === undefined || trustDevice === null) return undefined;
  if (typeof trustDevice !== 'object')
    throw new MfaValidationError('trustDevice must be an object with a label', { field: 'trustDevice.label' });
  return checkDeviceLabel(field(trustDevice, 'label', 'trustDevice.label'));
}

/**
 * The `deviceToken` option of `needsSecondFactor`: a string of any shape (one that cannot be a token simply does not
 * count, like a revoked one: the answer says nothing about why), or undefined when absent or null.
 */
export function readDeviceToken(options: unknown): string | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const deviceToken = field(options, 'deviceToken', 'deviceToken');
  if (deviceToken === undefined || deviceToken === null) return undefined;
  if (typeof deviceToken !== 'string')
    throw new MfaValidationError('deviceToken must be a string (the cookie as sent) or null', {
      field: 'deviceToken',
    });
  return deviceToken;
}

/**
 * A device id as `listTrustedDevices` answers it: a string of 1-100 characters, clean text (a NUL byte would be a
 * driver error in PostgreSQL, not "no such device").
 */
export function checkDeviceId(deviceId: unknown): string {
  if (
    typeof deviceId !== 'string' ||
    deviceId === '' ||
    deviceId.length > MAX_DEVICE_ID_LENGTH ||
    textProblem(deviceId) !== undefined
  )
    throw new MfaValidationError(`deviceId must be a string of 1 to ${MAX_DEVICE_ID_LENGTH} characters`, {
      field: 'deviceId',
    });
  return deviceId;
}
