import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// What a user gets from the registry: `npm pack` run the way `npm publish` runs it (lifecycle scripts on) in a copy
// of the repository's tracked files, a checkout with no dist/ in it, then installed by npm into a scratch project
// outside the repository. The repository's own dist/ is never read: a package that only packs because someone built
// it by hand first fails here.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// A nested npm must act on the scratch project, not on the repository whose `npm test` started this run.
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^(npm_config_local_prefix|npm_package_|npm_lifecycle_|INIT_CWD$)/i.test(name),
  ),
);

/** Runs a command to its end and reports how it ended, failure included (tsc exits non-zero on purpose here). */
export function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd, env: childEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

export async function succeed(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** The exact versions the repository's lockfile installed, so `npm ci` has already put them in the npm cache. */
const installedVersion = (name: string): string =>
  JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version;

export interface ScratchProject {
  dir: string;
  /** The tarball that was installed, packed from a clean checkout. */
  tarball: string;
  /** The keys of `exports` in the package.json that was packed and installed. */
  exportKeys: string[];
  remove(): void;
}

/** The tracked files as the work tree has them now (uncommitted edits included, deleted ones left out). */
const trackedFiles = (): string[] =>
  execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((path) => path !== '' && existsSync(join(repoRoot, path)) && statSync(join(repoRoot, path)).isFile());

/** Names the content that would be packed: the same tracked files, byte for byte, give the same tarball. */
function contentKey(files: string[]): string {
  const hash = createHash('sha256');
  for (const path of files)
    hash
      .update(path)
      .update('\0')
      .update(readFileSync(join(repoRoot, path)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const packCache = join(repoRoot, 'test-artifacts/packed');
const STALE_LOCK_MS = 5 * 60 * 1000;

/**
 * `npm pack` in a fresh copy of the tracked files, with the repository's node_modules linked in (what `npm ci` gives a
 * clean clone): `prepack` has to build dist/ or the tarball has none. Building takes tens of seconds, so the tarball
 * is kept under test-artifacts/ by the content it was made from; test files (and CI's later runs on other Node
 * versions) that need the same content share one build, and a lock directory keeps two workers from building at once.
 */
export async function packCleanCheckout(): Promise<string> {
  const files = trackedFiles();
  const tarball = join(packCache, `${contentKey(files)}.tgz`);
  const lock = `${tarball}.lock`;
  mkdirSync(packCache, { recursive: true });
  for (;;) {
    if (existsSync(tarball)) return tarball;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker is packing the same content: wait for its tarball, or take over a lock it left behind.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true });
      await sleep(500);
    }
  }
  const checkout = mkdtempSync(join(tmpdir(), 'saasus-mfa-checkout-'));
  try {
    for (const path of files) {
      mkdirSync(dirname(join(checkout, path)), { recursive: true });
      copyFileSync(join(repoRoot, path), join(checkout, path));
    }
    if (existsSync(join(checkout, 'dist'))) throw new Error('dist/ is tracked: the clean checkout is not clean');
    symlinkSync(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    // --json keeps the build's own output on stderr... mostly: the JSON array is the last thing npm prints.
    const output = await succeed('npm', ['pack', '--json', '--pack-destination', checkout], checkout);
    const packed = JSON.parse(output.slice(output.lastIndexOf('\n[') + 1)) as { filename: string }[];
    renameSync(join(checkout, packed[0]!.filename), `${tarball}.tmp`);
    renameSync(`${tarball}.tmp`, tarball);
    // Tarballs of older content are of no further use.
    for (const name of readdirSync(packCache))
      if (name.endsWith('.tgz') && join(packCache, name) !== tarball) rmSync(join(packCache, name), { force: true });
    return tarball;
  } finally {
    rmSync(checkout, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The paths inside a tarball, `package/` prefix removed. */
export const tarballFiles = (tarball: string): string[] =>
  execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));

/** The optional peers the store and testing subpaths are used with, and the types a TypeScript app would have. */
export const ALL_PEERS = ['ioredis', 'pg', 'msw', '@types/node', '@types/pg'];

/**
 * Packs a clean checkout (packCleanCheckout) and installs the tarball in a new temporary project, with `peers` (by
 * default every optional peer and the types, at the versions the lockfile installed). Offline-first: everything comes
 * from the npm cache that `npm ci` filled, the registry only for what is missing.
 */
export async function installPackedPackage(options: { peers?: string[] } = {}): Promise<ScratchProject> {
  const tarball = await packCleanCheckout();
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-packed-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-consumer', private: true }));
    const peers = (options.peers ?? ALL_PEERS).map((name) => `${name}@${installedVersion(name)}`);
    await succeed(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--no-package-lock',
        tarball,
        ...peers,
      ],
      dir,
    );
    const exportKeys = Object.keys(
      JSON.parse(readFileSync(join(dir, 'node_modules/saasus-mfa/package.json'), 'utf8')).exports,
    );
    return { dir, tarball, exportKeys, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
