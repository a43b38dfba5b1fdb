import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// What a user gets from the registry: `npm pack` of the built package, installed by npm into a scratch project
// outside the repository. Reads dist/: `npm test` builds first.
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
  /** The keys of `exports` in the package.json that was packed and installed. */
  exportKeys: string[];
  remove(): void;
}

/** The optional peers the store and testing subpaths are used with, and the types a TypeScript app would have. */
export const ALL_PEERS = ['ioredis', 'pg', 'msw', '@types/node', '@types/pg'];

/**
 * Packs the repository and installs the tarball in a new temporary project, with `peers` (by default every optional
 * peer and the types, at the versions the lockfile installed). Offline-first: everything comes from the npm cache
 * that `npm ci` filled, the registry only for what is missing.
 */
export async function installPackedPackage(options: { peers?: string[] } = {}): Promise<ScratchProject> {
  if (!existsSync(join(repoRoot, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-packed-'));
  try {
    const packed = JSON.parse(
      await succeed('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], repoRoot),
    ) as { filename: string }[];
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-consumer', private: true }));
    const peers = (options.peers ?? ALL_PEERS).map((name) => `${name}@${installedVersion(name)}`);
    const tarball = join(dir, packed[0]!.filename);
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
    return { dir, exportKeys, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
