import fc from 'fast-check';

/**
 * fast-check arbitraries for hostile input: what a careless caller or an attacker can put where the SDK expects a
 * user id, an e-mail, an issuer, a code or a token.
 */

const fromCodePoint = (code: number) => String.fromCodePoint(code);

/** Characters chosen to break things: separators of URIs and labels, invisible and direction-changing marks, look-alike digits. */
const trickyCharacter = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\u00a0',
  '\u3000',
  '%',
  '/',
  '\\',
  '?',
  '#',
  '&',
  '=',
  ':',
  ';',
  '+',
  ' ',
  '"',
  "'",
  '<',
  '>',
  '`',
  '$',
  '{',
  '}',
  '@',
  '.',
  '-',
  '１',
  '٣',
  '۴',
  '߁',
  '𝟘',
  '¹',
  'Ⅻ',
  'é',
  'e\u0301',
  'İ',
  'ß',
  'ﷺ',
  '😀',
  '👩‍👩‍👧',
  '🏳️‍🌈',
  '𠀋',
);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map(fromCodePoint);
const controlCharacter = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map(fromCodePoint);
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map(fromCodePoint);
const hostileCharacter = fc.oneof(
  trickyCharacter,
  loneSurrogate,
  controlCharacter,
  anyCodePoint,
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);

/** Names that mean something to JavaScript objects. */
export const prototypeKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
);

/** A repeated character, 200 to 20 000 times: past every length limit, and expensive to percent-encode. */
const longText = fc
  .tuple(fc.constantFrom('a', '1', 'é', '😀', '%', ':', '\u0000', '\uD800', ' '), fc.integer({ min: 200, max: 20_000 }))
  .map(([c, n]) => c.repeat(n));

/** Hostile strings: unicode of every plane, lone surrogates, controls, RTL and zero-width marks, very long, JS keys. */
export const hostileText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: hostileCharacter, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: longText },
  { weight: 1, arbitrary: prototypeKey },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '.',
      '..',
      '../admin',
      '%2e%2e',
      'a/b',
      'x?y=1#z',
      'null',
      'undefined',
      '[object Object]',
    ),
  },
);

/** Objects whose own keys are `__proto__`, `constructor`, `prototype` (as JSON.parse makes them), with payloads. */
export const pollutingObject = fc
  .constantFrom(
    () => JSON.parse('{"__proto__": {"polluted": "yes", "id": "admin", "enabled": true}}') as unknown,
    () => JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}') as unknown,
    () => JSON.parse('{"prototype": {"polluted": "yes"}, "id": {"__proto__": {"polluted": "yes"}}}') as unknown,
    () => Object.assign(Object.create(null) as object, { polluted: 'yes', toString: 'not a function' }) as unknown,
    () => ({ toString: () => '123456', valueOf: () => 123456 }) as unknown,
    () => ({ [Symbol.toPrimitive]: () => '123456' }) as unknown,
  )
  .map((make) => make());

/** Names itself to fast-check's reporter, which would otherwise trip over the traps while printing a counterexample. */
function named<T extends object>(target: T, name: string): T {
  return Object.defineProperty(target, fc.toStringMethod, { value: () => name, enumerable: false });
}

/**
 * Objects that throw when read: a Proxy whose every trap throws, getters that throw on the fields the SDK reads
 * (an ORM entity that is not loaded). A revoked Proxy belongs here too, but fast-check cannot carry one (it probes
 * values with `in`); test it by example.
 */
export const trappedObject = fc
  .constantFrom(
    () => {
      const target = named({}, 'Proxy(throws on every read)');
      return new Proxy(target, {
        get(t, key) {
          if (key === fc.toStringMethod) return Reflect.get(t, key);
          throw new TypeError('trap: get');
        },
        getPrototypeOf() {
          throw new TypeError('trap: getPrototypeOf');
        },
        ownKeys() {
          throw new TypeError('trap: ownKeys');
        },
      });
    },
    () =>
      named(
        Object.defineProperties(
          {},
          Object.fromEntries(
            ['id', 'email', 'signInId', 'accessToken', 'referer', 'signal', 'method'].map((key) => [
              key,
              {
                enumerable: false,
                get: () => {
                  throw new RangeError(`getter: ${key}`);
                },
              },
            ]),
          ),
        ),
        'object with throwing getters',
      ),
  )
  .map((make) => make() as unknown);

/** Things that are not strings, where a string belongs. */
export const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.boolean(),
  fc.constantFrom(null, undefined, Number.NaN, Infinity, -0),
  fc.string({ maxLength: 10 }).map((description) => Symbol(description)),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.object({ maxDepth: 2, key: fc.oneof(fc.string({ maxLength: 8 }), prototypeKey) }),
  fc.constantFrom(
    () => '123456',
    new Date(0),
    /123456/,
    new Map([['id', 'x']]),
    new String('123456'),
    Buffer.from('123456'),
    new Uint8Array([49, 50, 51, 52, 53, 54]),
    Promise.resolve('123456'),
  ),
  pollutingObject,
  trappedObject,
);

/** Well-formed values, so that properties also cover the paths where input is accepted. */
export const plausibleUserId = fc.oneof(fc.uuid(), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 24 }));
export const plausibleEmail = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom('a+b@example.com', 'ユーザー@例.jp', 'first last@x.io', 'a#b&c=d@x.io', ''),
);
export const plausibleCode = fc.oneof(
  fc.stringMatching(/^[0-9]{6}$/),
  fc.stringMatching(/^[0-9]{3}[ -][0-9]{3}$/),
  fc.constantFrom('１２３４５６', '١٢٣٤٥٦', '123456\n', ' 123456 ', '12345', '1234567'),
);
export const plausibleToken = fc.stringMatching(/^[A-Za-z0-9._-]{8,64}$/);

/** A value for a string field: hostile text, not a string at all, or plausible. */
export const anyText = (plausible: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 3, arbitrary: hostileText },
    { weight: 2, arbitrary: notAString },
    { weight: 3, arbitrary: plausible },
  );

/** A user argument: a record with hostile fields (optionally carrying prototype keys), or not an object at all. */
export const hostileUser = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.record(
          { id: anyText(plausibleUserId), email: anyText(plausibleEmail), signInId: anyText(plausibleUserId) },
          { requiredKeys: [] },
        ),
        fc.option(pollutingObject, { nil: undefined }),
      )
      .map(([fields, extra]) => (extra === undefined ? fields : Object.assign(extra as object, fields))),
  },
  { weight: 1, arbitrary: notAString },
  { weight: 1, arbitrary: hostileText },
);

/** A call context: hostile tokens and referers, wrong types, or nothing. */
export const hostileContext = fc.oneof(
  fc.constantFrom(undefined, null),
  notAString,
  fc.record(
    {
      accessToken: anyText(plausibleToken),
      referer: anyText(fc.constantFrom('/settings/security', 'https://app.example.com/mfa')),
      signal: fc.oneof(
        notAString,
        fc.constant(new AbortController().signal),
        fc.constant(named(Object.create(AbortSignal.prototype) as object, 'fake AbortSignal')),
      ),
      method: fc.oneof(fc.constantFrom('softwareToken', 'email', 'sms', 'SOFTWARETOKEN'), notAString, hostileText),
    },
    { requiredKeys: [] },
  ),
);

/** A code argument: hostile text, not a string, or something that looks like a code. */
export const hostileCode = anyText(plausibleCode);

/** A base32 secret, as a provider would return it. */
export const base32Secret = fc.stringMatching(/^[A-Z2-7]{16,128}$/);

const BUILT_IN_PROTOTYPES = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
  String: String.prototype,
};

/** Every own property of the built-in prototypes, with its descriptor: compare with `prototypeChanges` afterwards. */
export function snapshotPrototypes() {
  return Object.entries(BUILT_IN_PROTOTYPES).map(([name, proto]) => ({
    name,
    proto,
    descriptors: new Map(Reflect.ownKeys(proto).map((key) => [key, Object.getOwnPropertyDescriptor(proto, key)!])),
  }));
}

/** Properties added to, removed from or replaced on a built-in prototype since the snapshot (`Object.polluted`). */
export function prototypeChanges(snapshot: ReturnType<typeof snapshotPrototypes>): string[] {
  const same = (a: PropertyDescriptor, b: PropertyDescriptor) =>
    a.value === b.value &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable;
  return snapshot.flatMap(({ name, proto, descriptors }) => {
    const keys = new Set([...descriptors.keys(), ...Reflect.ownKeys(proto)]);
    return [...keys].flatMap((key) => {
      const before = descriptors.get(key);
      const after = Object.getOwnPropertyDescriptor(proto, key);
      return before && after && same(before, after) ? [] : [`${name}.${String(key)}`];
    });
  });
}
