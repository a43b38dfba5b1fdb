import { MfaValidationError } from '../errors.js';
import type { MfaCallContext, MfaMethod, MfaUser } from '../types.js';

/** Longest user id accepted. SaaSus ids are UUIDs; the cap keeps hostile input out of URLs and stores. */
export const MAX_USER_ID_LENGTH = 256;
const MAX_TEXT_LENGTH = 512;
// C0 and C1 controls, DEL, and line/paragraph separators: never part of an id, a name or an e-mail.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const SIX_ASCII_DIGITS = /^[0-9]{6}$/;
// Users type codes as "123 456" or "123-456"; only ASCII spaces, tabs and hyphen-minus are dropped.
const CODE_SEPARATORS = /[ \t-]/g;

// A surrogate without its pair is not text: UTF-8 encoders (PostgreSQL, HMAC inputs) turn every one of them into
// U+FFFD, so two different ids would become the same user.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a string as text: control characters or a lone surrogate; undefined when it is clean. */
export function textProblem(value: string): string | undefined {
  if (CONTROL_CHARACTERS.test(value)) return 'contains control characters';
  if (LONE_SURROGATE.test(value)) return 'is not well-formed Unicode';
  return undefined;
}

/** Returns only when `value` is clean text within `maxLength`; the type then says so, with no cast at the caller. */
function assertText(value: unknown, field: string, maxLength: number): asserts value is string {
  if (typeof value !== 'string') throw new MfaValidationError(`${field} must be a string`, { field: field });
  if (value.length > maxLength)
    throw new MfaValidationError(`${field} is longer than ${maxLength} characters`, { field: field });
  const problem = textProblem(value);
  if (problem) throw new MfaValidationError(`${field} ${problem}`, { field: field });
}

/**
 * Reads the named properties of an object the caller handed over. A getter or a Proxy that throws (an ORM entity
 * not loaded, a revoked proxy) is input the SDK cannot use: a typed error, never the getter's own TypeError.
 */
function readFields<K extends string>(value: object, keys: readonly K[], field: string): Record<K, unknown> {
  const fields = {} as Record<K, unknown>;
  try {
    for (const key of keys) fields[key] = (value as Record<K, unknown>)[key];
  } catch {
    throw new MfaValidationError(`${field} could not be read`, { field: field });
  }
  return fields;
}

/** A real AbortSignal: `instanceof` alone passes `Object.create(AbortSignal.prototype)`, which AbortSignal.any rejects. */
function isAbortSignal(value: unknown): value is AbortSignal {
  try {
    const aborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get;
    return value instanceof AbortSignal && typeof aborted?.call(value) === 'boolean';
  } catch {
    return false;
  }
}

/** Checks the user object and returns a clean copy (only the known fields, so no prototype tricks travel on). */
export function validateUser(user: unknown): MfaUser {
  if (typeof user !== 'object' || user === null)
    throw new MfaValidationError('user must be an object with an id', { field: 'user' });
  const { id, email, signInId } = readFields(user, ['id', 'email', 'signInId'], 'user');
  if (typeof id !== 'string' || id.trim() === '')
    throw new MfaValidationError('user.id must be a non-empty string', { field: 'userId' });
  assertText(id, 'userId', MAX_USER_ID_LENGTH);
  const clean: MfaUser = { id };
  if (email !== undefined && email !== null) {
    assertText(email, 'email', MAX_TEXT_LENGTH);
    clean.email = email;
  }
  if (signInId !== undefined && signInId !== null) {
    assertText(signInId, 'signInId', MAX_TEXT_LENGTH);
    clean.signInId = signInId;
  }
  return clean;
}

/**
 * Normalises a TOTP code as typed by a person ("123 456", "123-456") and checks it is exactly six ASCII digits.
 * Full-width or other-script digits, numbers, null and objects are refused: a code is text the user typed.
 */
export function normalizeCode(code: unknown): string {
  if (typeof code !== 'string') throw new MfaValidationError('code must be a string of 6 digits', { field: 'code' });
  if (code.length > 64) throw new MfaValidationError('code must be 6 digits', { field: 'code' });
  const digits = code.replace(CODE_SEPARATORS, '');
  if (!SIX_ASCII_DIGITS.test(digits)) throw new MfaValidationError('code must be 6 digits', { field: 'code' });
  return digits;
}

const RECOVERY_CODE_SHAPE = /^[0-9A-Za-z]{8,32}$/;
/** A trusted device's token (`d1.` and base64url): typed where a code goes, it is a guess like any wrong code. */
const DEVICE_TOKEN_SHAPE = /^d1\.[A-Za-z0-9_-]{43}$/;

/**
 * Checks a recovery code as typed ("ABCD-EFGH-JKMN", any case, spaces or dashes): ASCII letters and digits only.
 * The provider decides whether it is one of the user's codes; this only keeps junk away from it. A device token is
 * passed on as it is: the provider matches it to no recovery code and counts the failure, so a stolen device token
 * tried as a code (or as a step-up proof) costs the attacker an attempt, like any other guess.
 */
export function normalizeRecoveryCode(code: unknown): string {
  if (typeof code !== 'string') throw new MfaValidationError('recovery code must be a string', { field: 'code' });
  if (DEVICE_TOKEN_SHAPE.test(code)) return code;
  if (code.length > 64) throw new MfaValidationError('recovery code is too long', { field: 'code' });
  const compact = code.replace(/[ \t-]/g, '');
  if (!RECOVERY_CODE_SHAPE.test(compact))
    throw new MfaValidationError('recovery code must be letters and digits', { field: 'code' });
  return compact;
}

/** True when the input reads as a TOTP code (six digits with optional separators) rather than a recovery code. */
export function looksLikeTotpCode(code: unknown): boolean {
  return typeof code === 'string' && code.length <= 64 && SIX_ASCII_DIGITS.test(code.replace(CODE_SEPARATORS, ''));
}

/** Checks the per-call context; a token must be a string when given (its value is never echoed). */
export function validateContext(ctx: unknown): MfaCallContext {
  if (ctx === undefined || ctx === null) return {};
  if (typeof ctx !== 'object') throw new MfaValidationError('context must be an object', { field: 'context' });
  const { accessToken, referer, signal, clientKey } = readFields(
    ctx,
    ['accessToken', 'referer', 'signal', 'clientKey'],
    'context',
  );
  const clean: MfaCallContext = {};
  if (accessToken !== undefined && accessToken !== null && accessToken !== '') {
    assertText(accessToken, 'accessToken', 8192);
    clean.accessToken = accessToken;
  }
  if (referer !== undefined && referer !== null && referer !== '') {
    assertText(referer, 'referer', 2048);
    clean.referer = referer;
  }
  if (signal !== undefined && signal !== null) {
    if (!isAbortSignal(signal)) throw new MfaValidationError('signal must be an AbortSignal', { field: 'signal' });
    clean.signal = signal;
  }
  if (clientKey !== undefined && clientKey !== null) {
    // Its value is never echoed: it is an address or a device id, personal data for the app's logs, not ours.
    if (typeof clientKey !== 'string' || clientKey.trim() === '')
      throw new MfaValidationError('clientKey must be a non-blank string', { field: 'clientKey' });
    assertText(clientKey, 'clientKey', MAX_CLIENT_KEY_LENGTH);
    clean.clientKey = clientKey;
  }
  return clean;
}

/** Longest `clientKey`: an IPv6 address with a zone, or a device id, fits with room to spare. */
const MAX_CLIENT_KEY_LENGTH = 200;

const METHODS: readonly MfaMethod[] = ['softwareToken', 'email'];

/** The method `enable` was asked for (default `softwareToken`), read as carefully as the context it travels with. */
export function readEnableMethod(options: unknown): MfaMethod {
  const method =
    typeof options === 'object' && options !== null ? readFields(options, ['method'], 'context').method : undefined;
  if (method === undefined || method === null) return 'softwareToken';
  if (!isMethod(method))
    throw new MfaValidationError(`method must be one of ${METHODS.join(', ')}`, { field: 'method' });
  return method;
}

const isMethod = (value: unknown): value is MfaMethod => METHODS.some((method) => method === value);
