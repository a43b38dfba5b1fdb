/**
 * The self-hosted example's password step under a flood of bogus logins (issue 12): how long a real login and
 * `GET /` take while 16, 64 and 256 bogus logins are kept in flight, against idle, with the example's protections
 * (per-address throttle, bounded hash queue: the defaults) and without them (the example before issue 12: no
 * throttle, every scrypt straight onto libuv's pool).
 *
 *   npm run build && npx tsx --tsconfig bench/tsconfig.json bench/login-flood.ts
 *
 * Three processes, so none measures its own load: the example (Express, memory store), the flood, and this one,
 * which measures. Each bogus login comes from a new loopback address (127.0.x.y) for an unknown user: a botnet the
 * per-address throttle cannot slow down, the worst case for the hash queue. The real user logs in from addresses of
 * its own; a 503 is retried after its Retry-After, as the page tells a person to, and counted in "to success".
 * Figures, not assertions. LOGIN_FLOOD_SAMPLES (default 5) real logins per level; LOGIN_FLOOD_LEVELS (default
 * 16,64,256).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loopbackAddress, requestFrom } from '../test/support/example-from-address.js';
import { startChildServer } from './lib/child.js';
import { summarize } from './lib/stats.js';

const ROLE = process.env.LOGIN_FLOOD_ROLE;
const SELF = new URL(import.meta.url);
const OWNER = { username: 'flood-owner', password: 'correct horse battery staple' };

/** The example app as `npm start` builds it in self-hosted mode, protected (the defaults) or not. */
async function serve(): Promise<void> {
  const { createExpressApp } = await import('../examples/express/app.js');
  const { memoryBackend } = await import('../examples/shared/self-hosted/backends.js');
  const { selfHostedDeps } = await import('../examples/shared/self-hosted/setup.js');
  const { createExampleServer } = await import('../examples/shared/server/http-server.js');
  const unlimited = { limit: Number.MAX_SAFE_INTEGER, windowMs: 60_000 };
  const protection =
    process.env.LOGIN_FLOOD_PROTECTED === '1'
      ? {}
      : {
          login: unlimited,
          signup: unlimited,
          hashing: { concurrency: Number.MAX_SAFE_INTEGER, maxQueued: Number.MAX_SAFE_INTEGER },
        };
  const deps = selfHostedDeps(memoryBackend(), {
    provider: { encryptionKey: Buffer.alloc(32, 9), env: {} },
    protection,
  });
  await deps.auth.signup(OWNER, '127.0.0.1');
  const server = createExampleServer(createExpressApp(deps));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
}

/** Keeps LOGIN_FLOOD_CONCURRENCY bogus logins in flight until told to stop; reports the answers by status. */
async function flood(): Promise<void> {
  const url = process.env.LOGIN_FLOOD_URL!;
  const concurrency = Number(process.env.LOGIN_FLOOD_CONCURRENCY);
  const statuses: Record<string, number> = {};
  let stopped = false;
  let next = 1000; // addresses below are the real user's
  process.on('message', () => (stopped = true));
  // The measuring process went away (killed, crashed): stop rather than flood a closed port forever.
  process.on('disconnect', () => process.exit(0));
  const client = async () => {
    while (!stopped) {
      const address = loopbackAddress(next++ % 60_000);
      const body = { username: `bogus-${next}`, password: 'not-the-password' };
      const status = await requestFrom(address, url, '/login', { json: body }).then(
        (answer) => String(answer.status),
        (error: NodeJS.ErrnoException) => error.code ?? 'error',
      );
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  process.send!(statuses);
  process.disconnect();
}

function startFlood(url: string, concurrency: number): { stop(): Promise<Record<string, number>> } {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(SELF)], {
    env: {
      ...process.env,
      LOGIN_FLOOD_ROLE: 'flood',
      LOGIN_FLOOD_URL: url,
      LOGIN_FLOOD_CONCURRENCY: String(concurrency),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const counts = new Promise<Record<string, number>>((resolve) => child.once('message', (m) => resolve(m as never)));
  return {
    async stop() {
      child.send('stop');
      return counts;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** No figure waits longer than this: past it, the answer is reported as "gave up" (the request still runs). */
const CAP_MS = 60_000;
function withinCap<T>(promise: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), CAP_MS)));
  return Promise.race([promise, cap]).finally(() => clearTimeout(timer));
}

/**
 * One real login: the first answer's time and status, and the time until a 200 (after 503s, waiting Retry-After as
 * the page tells a person to), or null after 5 tries.
 */
async function realLogin(url: string, address: string) {
  const start = performance.now();
  let first: { ms: number; status: number } | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const answer = await withinCap(requestFrom(address, url, '/login', { json: OWNER }));
    if (answer === null) return { first: first ?? { ms: CAP_MS, status: 0 }, successMs: null };
    first ??= { ms: performance.now() - start, status: answer.status };
    if (answer.status === 200) return { first, successMs: performance.now() - start };
    if (answer.status !== 503) throw new Error(`the real login got ${answer.status}`);
    await sleep(Number(answer.headers['retry-after'] ?? 1) * 1000);
  }
  return { first: first!, successMs: null };
}

async function pageLoad(url: string): Promise<number> {
  const start = performance.now();
  const answer = await withinCap(requestFrom('127.0.0.1', url, '/'));
  if (answer === null) return CAP_MS;
  if (answer.status !== 200) throw new Error(`GET / got ${answer.status}`);
  return performance.now() - start;
}

async function measure(): Promise<void> {
  const requested = Number(process.env.LOGIN_FLOOD_SAMPLES ?? 5);
  const levels = (process.env.LOGIN_FLOOD_LEVELS ?? '16,64,256').split(',').map(Number);
  const fmt = (ms: number | null) =>
    ms === null ? 'gave up' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
  console.log(
    `login flood: ${requested} real logins of each kind and page loads per level; bogus logins each from a new address`,
  );
  console.log('known device: an address the owner signed in from before; new device: an address never seen\n');
  for (const protectedMode of [true, false]) {
    const server = await startChildServer(SELF, {
      LOGIN_FLOOD_ROLE: 'server',
      LOGIN_FLOOD_PROTECTED: protectedMode ? '1' : '0',
    });
    const url = `http://127.0.0.1:${server.port}`;
    // Unprotected, one login takes tens of seconds under a flood: two samples say enough.
    const samples = protectedMode ? requested : Math.min(requested, 2);
    console.log(
      protectedMode ? 'WITH the example protections (defaults)' : 'WITHOUT them (the example before issue 12)',
    );
    let idle: { known: number; page: number } | undefined;
    let newDevice = 1;
    try {
      for (const level of [0, ...levels]) {
        const flooding = level > 0 ? startFlood(url, level) : undefined;
        if (flooding) await sleep(1000); // let the flood fill the queue
        const known: Array<Awaited<ReturnType<typeof realLogin>>> = [];
        const fresh: Array<Awaited<ReturnType<typeof realLogin>>> = [];
        const pages: number[] = [];
        for (let i = 0; i < samples; i++) {
          // The same owner addresses at every level (known after the idle round), a few logins a minute each: under
          // the per-address throttle. New devices: a new address each time.
          const [login, page] = await Promise.all([realLogin(url, `127.0.250.${i + 1}`), pageLoad(url)]);
          known.push(login);
          pages.push(page);
          fresh.push(await realLogin(url, `127.0.251.${newDevice++}`));
        }
        const counts = (await flooding?.stop()) ?? {};
        const median = (logins: typeof known) => {
          const done = logins.map((l) => l.successMs).filter((ms): ms is number => ms !== null);
          return done.length === logins.length ? summarize(done).median : null;
        };
        const knownMs = median(known);
        const pageMs = summarize(pages).median;
        idle ??= { known: knownMs!, page: pageMs };
        const ratio = (ms: number | null, base: number) => (ms === null ? '' : ` (x${(ms / base).toFixed(1)})`);
        const busy = (logins: typeof known) => logins.filter((l) => l.first.status === 503).length;
        console.log(
          `  ${level === 0 ? 'idle' : `${level} bogus`}`.padEnd(12) +
            `known device ${fmt(knownMs)}${ratio(knownMs, idle.known)}, first answer 503 in ${busy(known)}/${samples}; ` +
            `new device ${fmt(median(fresh))}${ratio(median(fresh), idle.known)}, 503 first in ${busy(fresh)}/${samples}; ` +
            `GET / ${fmt(pageMs)}${ratio(pageMs, idle.page)}` +
            (level > 0 ? `; bogus answers ${JSON.stringify(counts)}` : ''),
        );
      }
    } finally {
      await server.close();
    }
    console.log('');
  }
}

// Last, once every const above exists: each process of the benchmark plays one role.
if (ROLE === 'server') await serve();
else if (ROLE === 'flood') await flood();
else await measure();
