/**
 * Where a self-hosted verify's CPU goes, against otplib's own verifySync of the same codes: a CPU profile of each
 * (node:inspector, the same sampler as `node --cpu-prof`), every sample charged to the part of the work it was in.
 *
 *   npm run build && npx tsx --tsconfig bench/tsconfig.json bench/totp/where-time-goes.ts [verifies]
 *
 * Prints, per side, the share of samples and the µs per call of each part, and the CPU per call measured outside the
 * profiler. Figures, not assertions; on a busy machine the µs move, the shares much less.
 */
import { Session } from 'node:inspector/promises';
import { verifySync } from 'otplib';
import { MemoryMfaStore } from 'saasus-mfa/totp';
import { enrollUser } from './enrolled.js';

const CALLS = Number(process.argv[2] ?? 60_000);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Frame = ProfileNode['callFrame'];

/** Which step of the verify a sample is in: the innermost frame that names one (leaf first). */
const STEPS: [step: string, test: (f: Frame) => boolean][] = [
  ['TOTP codes, every step of the window (window-match.ts)', (f) => f.functionName === 'matchingStep'],
  ['sealed secret (secret-box.ts)', (f) => f.functionName === 'open'],
  ['step-up token (step-up-token.ts)', (f) => f.functionName === 'issue'],
  ['the store call (memory store, guarded)', (f) => f.functionName === 'attemptAndClaim'],
];
/** What kind of work the sample is: the innermost frame that names one. */
const KINDS: [kind: string, test: (f: Frame) => boolean][] = [
  ['HMAC node:crypto', (f) => f.url.includes('internal/crypto/hash')],
  ['HMAC noble', (f) => f.url.includes('@noble/hashes')],
  ['AES node:crypto', (f) => f.url.includes('internal/crypto/cipher')],
  ['otplib JS', (f) => /otplib|@scure/.test(f.url)],
];

interface Row {
  step: string;
  us: number;
  kinds: Map<string, number>;
}

function breakdown(profile: Profile, calls: number, inside: (f: Frame) => boolean, rest = 'the rest'): Row[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const rows = new Map<string, Row>();
  profile.samples.forEach((id, i) => {
    const chain: Frame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at)!.callFrame);
    // The collector has no stack: its samples are charged to no step (the SDK's and otplib's garbage alike).
    const gc = chain[0]!.functionName === '(garbage collector)';
    if (!gc && !chain.some(inside)) return; // the harness, the loader, idle
    const step = gc ? 'garbage collector' : (STEPS.find(([, test]) => chain.some(test))?.[0] ?? rest);
    const kind = gc ? 'GC' : (KINDS.find(([, test]) => chain.some(test))?.[0] ?? 'own JS');
    const row = rows.get(step) ?? { step, us: 0, kinds: new Map() };
    const us = (profile.timeDeltas[i] ?? 0) / calls;
    row.us += us;
    row.kinds.set(kind, (row.kinds.get(kind) ?? 0) + us);
    rows.set(step, row);
  });
  return [...rows.values()].sort((a, b) => b.us - a.us);
}

async function profiled(run: () => Promise<void>): Promise<Profile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  await run();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  return profile;
}

const user = await enrollUser(new MemoryMfaStore(), 'profile-user');
const work = Array.from({ length: CALLS * 2 + 2000 }, () => ({ code: user.nextCode(), at: user.clock.at }));
let next = 0;
const sdk = async () => {
  for (let i = 0; i < CALLS; i++) {
    const { code, at } = work[next++]!;
    user.clock.at = at;
    await user.mfa.verify({ id: user.id }, code);
  }
};
const otplib = async () => {
  for (let i = 0; i < CALLS; i++) {
    const { code, at } = work[i]!;
    if (!verifySync({ secret: user.secret, token: code, epoch: Math.floor(at / 1000), epochTolerance: 30 }).valid)
      throw new Error('otplib refused a valid code');
  }
};
const cpu = async (run: () => Promise<void>) => {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CALLS;
};

for (let i = 0; i < 2000; i++) {
  const { code, at } = work[next++]!; // warm-up: the JIT has compiled both paths before anything is sampled
  user.clock.at = at;
  await user.mfa.verify({ id: user.id }, code);
}
const sdkProfile = await profiled(sdk);
const otplibProfile = await profiled(otplib);
const [sdkCpu, otplibCpu] = [await cpu(sdk), await cpu(otplib)];

const print = (title: string, rows: Row[], perCall: number) => {
  const total = rows.reduce((sum, row) => sum + row.us, 0);
  console.log(`\n${title}: ${perCall.toFixed(1)} µs CPU per call (outside the profiler)\n`);
  console.log('| part | share | µs per call (profiled) | of which |\n|---|---:|---:|---|');
  for (const row of rows) {
    const kinds = [...row.kinds].sort((a, b) => b[1] - a[1]).map(([kind, us]) => `${kind} ${us.toFixed(1)}`);
    console.log(
      `| ${row.step} | ${((row.us / total) * 100).toFixed(1)}% | ${row.us.toFixed(1)} | ${kinds.join(', ')} |`,
    );
  }
};
print(
  'MfaClient.verify (memory store, everything on)',
  // Any frame of the built package: after an await, a sample's stack starts at the resumed function, not at verify.
  breakdown(sdkProfile, CALLS, (f) => f.url.includes('/dist/') && !f.url.includes('node_modules')),
  sdkCpu,
);
print(
  'otplib verifySync, same codes',
  breakdown(otplibProfile, CALLS, (f) => f.url.includes('otplib'), 'verifySync (no SDK step in it)'),
  otplibCpu,
);
console.log(`\nSDK / otplib throughput (CPU per call): ${(otplibCpu / sdkCpu).toFixed(3)}`);
