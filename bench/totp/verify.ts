/**
 * 2. Self-hosted verify: MfaClient.verify through TotpMfaProvider on the memory store (AES-GCM sealed secret,
 * attempt counting, replay claim, audit events: everything on) versus otplib's own verifySync of the same code, and
 * the floor under both: the three HMAC-SHA1 computations a ±1-step window needs, straight from node:crypto.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type CryptoPlugin, generateSync, verifySync } from 'otplib';
import { MemoryMfaStore } from 'saasus-mfa/totp';
import { type BenchOptions, scale } from '../lib/options.js';
import { Section, ratioOf } from '../lib/report.js';
import { opsPerSecond, opsPerSecondSync } from '../lib/timing.js';
import { PERIOD_MS, enrollUser } from './enrolled.js';

const RFC4648 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text) {
    value = (value << 5) | RFC4648.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/**
 * otplib over node:crypto, as a user who knows otplib's plugins would run it: separates "the SDK's own work" from "which
 * HMAC implementation" (otplib's default is pure JavaScript). The SDK's plugin is internal, so this is a copy.
 */
const nodeCryptoPlugin: CryptoPlugin = {
  name: 'node',
  hmac: (algorithm, key, data) => createHmac(algorithm, key).update(data).digest(),
  randomBytes: (length) => randomBytes(length),
  constantTimeEqual: (a, b) => {
    const left = Buffer.from(a as string);
    const right = Buffer.from(b as string);
    return left.length === right.length && timingSafeEqual(left, right);
  },
};

/** RFC 4226 HOTP value for one counter: one HMAC-SHA1 and the dynamic truncation. */
function hotp(key: Buffer, counter: number): number {
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[19]! & 0x0f;
  return (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
}

export async function totpVerify(options: BenchOptions): Promise<Section> {
  const section = new Section('totp', '2. Self-hosted verify, memory store (one core, sequential calls)');
  const user = await enrollUser(new MemoryMfaStore(), 'bench-user');
  const key = base32Decode(user.secret);
  const rounds = scale(options, 3, 25);
  const batch = scale(options, 50, 2000);

  // Every code the SDK verifies, with its instant; otplib is then asked about exactly the same (code, instant).
  const total = (rounds + 1) * batch;
  const instants: number[] = [];
  const codes: string[] = [];
  for (let i = 0; i < total; i++) {
    codes.push(user.nextCode());
    instants.push(user.clock.at);
  }
  user.clock.at = instants[0]! - PERIOD_MS;

  let next = 0;
  const sdkVerify = async () => {
    const i = next++;
    user.clock.at = instants[i]!;
    await user.mfa.verify({ id: user.id }, codes[i]!);
  };
  let baselineIndex = 0;
  const otplibVerify = () => {
    const i = baselineIndex++ % total;
    const result = verifySync({
      secret: user.secret,
      token: codes[i]!,
      epoch: Math.floor(instants[i]! / 1000),
      epochTolerance: 30,
    });
    if (!result.valid) throw new Error('otplib refused a valid code');
  };
  let nodeIndex = 0;
  const otplibNodeVerify = () => {
    const i = nodeIndex++ % total;
    const result = verifySync({
      secret: user.secret,
      token: codes[i]!,
      epoch: Math.floor(instants[i]! / 1000),
      epochTolerance: 30,
      crypto: nodeCryptoPlugin,
    });
    if (!result.valid) throw new Error('otplib (node:crypto) refused a valid code');
  };
  let floorIndex = 0;
  const threeHmacs = () => {
    const i = floorIndex++ % total;
    const step = Math.floor(instants[i]! / PERIOD_MS);
    const wanted = Number(codes[i]);
    // All three are computed, as a constant-time window check would; the comparison is the cheap part.
    const matches = [hotp(key, step - 1), hotp(key, step), hotp(key, step + 1)].filter(
      (value) => value === wanted,
    ).length;
    if (matches === 0) throw new Error('floor computation disagrees with otplib');
  };

  // Warm-up of all three (the SDK's warm-up uses up the first batch of steps).
  await opsPerSecond(batch, sdkVerify);
  opsPerSecondSync(batch, otplibVerify);
  opsPerSecondSync(batch, otplibNodeVerify);
  opsPerSecondSync(batch, threeHmacs);
  const sdk: number[] = [];
  const otplib: number[] = [];
  const otplibNode: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < rounds; round++) {
    sdk.push(await opsPerSecond(batch, sdkVerify));
    otplib.push(opsPerSecondSync(batch, otplibVerify));
    otplibNode.push(opsPerSecondSync(batch, otplibNodeVerify));
    floor.push(opsPerSecondSync(batch, threeHmacs));
  }
  const sdkFigure = section.figure(
    'sdk.verify',
    'MfaClient.verify (TotpMfaProvider, memory store)',
    'ops/s',
    'higher',
    sdk,
  );
  const otplibFigure = section.figure('otplib.verify', 'otplib verifySync, same code alone', 'ops/s', 'higher', otplib);
  section.figure(
    'otplib-node.verify',
    'otplib verifySync with a node:crypto plugin, same code',
    'ops/s',
    'higher',
    otplibNode,
  );
  const floorFigure = section.figure('floor.hmac3', 'floor: 3 × HMAC-SHA1 (node:crypto)', 'ops/s', 'higher', floor);
  // Issue 15: at least otplib's own verifySync, with replay protection, attempt counting and the policy on.
  section.comparePaired('sdk-vs-otplib', 'SDK / otplib throughput (paired rounds)', sdk, otplib, {
    op: '>=',
    target: 1,
  });
  section.compare(
    'sdk-vs-otplib.medians',
    'SDK / otplib throughput (ratio of the medians)',
    ratioOf(sdkFigure, otplibFigure),
  );
  section.comparePaired(
    'sdk-vs-otplib-node',
    "SDK / otplib with node:crypto (same HMAC: the SDK's own cost)",
    sdk,
    otplibNode,
  );
  section.compare('sdk-vs-floor', 'SDK / floor throughput (medians)', ratioOf(sdkFigure, floorFigure));
  section.compare('otplib-vs-floor', 'otplib / floor throughput (medians)', ratioOf(otplibFigure, floorFigure));
  if (generateSync({ secret: user.secret, epoch: Math.floor(user.clock.at / 1000) }) !== codes[next - 1]) {
    throw new Error('the SDK did not end on the last code: some verifies were skipped');
  }
  return section;
}
