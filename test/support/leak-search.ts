import { inspect } from 'node:util';
import { isMfaError } from '../../src/index.js';

function attempt(render: () => string | undefined): string {
  try {
    return render() ?? '';
  } catch {
    return '';
  }
}

/**
 * Everything an error can say on its way to a log or a response: `String`, `JSON.stringify`, `toJSON()`, the stack,
 * `util.inspect` with hidden properties at any depth, and every value reachable through its own properties
 * (non-enumerable and symbol-keyed included, getters read), down the whole cause chain and into any nested object.
 * A secret that appears nowhere in this text cannot be printed from the error by any ordinary means.
 */
export function everythingSaidBy(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();

  function visit(value: unknown, depth: number): void {
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' && typeof value !== 'function') {
      parts.push(String(value));
      return;
    }
    if (seen.has(value) || depth > 25) return;
    seen.add(value);
    parts.push(
      attempt(() => String(value)),
      attempt(() => JSON.stringify(value)),
      attempt(() => inspect(value, { showHidden: true, depth: Infinity, getters: true })),
    );
    if (isMfaError(value)) parts.push(attempt(() => JSON.stringify(value.toJSON())));
    for (const key of Reflect.ownKeys(value)) {
      parts.push(String(key));
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      let property: unknown;
      if (descriptor && 'value' in descriptor) property = descriptor.value;
      else {
        try {
          property = (value as Record<PropertyKey, unknown>)[key];
        } catch {
          property = undefined;
        }
      }
      visit(property, depth + 1);
    }
  }

  visit(error, 0);
  return parts.join('\n');
}

/** The secrets in `candidates` (non-empty strings) that `text` contains. */
export function leakedIn(text: string, candidates: Record<string, string | undefined>): string[] {
  return Object.entries(candidates).flatMap(([name, secret]) => (secret && text.includes(secret) ? [name] : []));
}

/**
 * Whether finding `input` in an error's text would mean the input was echoed: long enough, and not a plain word
 * that an error's own rendering contains anyway ("undefined", "constructor", "prototype" from `util.inspect`).
 */
export function echoDetectable(input: unknown): input is string {
  return typeof input === 'string' && input.trim().length >= 6 && (input.length >= 16 || !/^[A-Za-z]+$/.test(input));
}
