import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installPackedPackage,
  repoRoot,
  succeed,
  tarballFiles,
  type ScratchProject,
} from './support/packed-package.js';

// The packed tarball as an app installs it: every subpath of `exports` loaded by name from plain Node, with `import`
// (consumer.mjs) and with `require` (consumer.cjs), each used for something real (fixtures/published/checks.cjs).
// Runs on every Node version CI tests. The TypeScript side is published-types.test.ts. The tarball is packed from a
// copy of the tracked files with no dist/ (support/packed-package.ts), as `npm publish` on a fresh clone would.
let scratch: ScratchProject | undefined;

beforeAll(async () => {
  scratch = await installPackedPackage();
  for (const file of ['checks.cjs', 'consumer.mjs', 'consumer.cjs'])
    cpSync(join(repoRoot, 'test/fixtures/published', file), join(scratch.dir, file));
}, 300_000);

afterAll(() => scratch?.remove());

/** Every file an `exports` condition points at, in the repository's package.json (the one that gets packed). */
const exportTargets = (): string[] => {
  const targets = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : Object.values(value as Record<string, unknown>).flatMap(targets);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: unknown };
  return [...new Set(targets(pkg.exports).map((target) => target.replace(/^\.\//, '')))];
};

describe('npm pack on a clean checkout (an empty package is what `npm publish` sent before prepack built it)', () => {
  it('builds before packing: every file `exports` points at is in the tarball', () => {
    const files = tarballFiles(scratch!.tarball);
    const targets = exportTargets();
    expect(targets.filter((target) => target.startsWith('dist/')).length).toBeGreaterThanOrEqual(24);
    expect(targets.filter((target) => !files.includes(target))).toEqual([]);
  });
});

describe('the packed package installed in a scratch project', () => {
  it('contains the build, the docs and the licence, nothing from src/ or test/', () => {
    const installed = join(scratch!.dir, 'node_modules/saasus-mfa');
    const files = readdirSync(installed, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(installed, join(entry.parentPath, entry.name)).split(sep).join('/'));
    expect(files).toContain('dist/index.js');
    expect(files).toContain('LICENSE');
    expect(files.filter((path) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(path))).toEqual(
      [],
    );
  });

  it.each(['consumer.mjs', 'consumer.cjs'])(
    '%s loads every subpath of `exports` by name and uses it',
    async (consumer) => {
      const { dir, exportKeys } = scratch!;
      const { checked } = JSON.parse(await succeed(process.execPath, [consumer], dir)) as { checked: string[] };
      expect(checked.sort()).toEqual([...exportKeys].sort());
    },
  );
});
