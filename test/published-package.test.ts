import { cpSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackedPackage, repoRoot, succeed, type ScratchProject } from './support/packed-package.js';

// The packed tarball as an app installs it: every subpath of `exports` loaded by name from plain Node, with `import`
// (consumer.mjs) and with `require` (consumer.cjs), each used for something real (fixtures/published/checks.cjs).
// Runs on every Node version CI tests. The TypeScript side is published-types.test.ts.
let scratch: ScratchProject | undefined;

beforeAll(async () => {
  scratch = await installPackedPackage();
  for (const file of ['checks.cjs', 'consumer.mjs', 'consumer.cjs'])
    cpSync(join(repoRoot, 'test/fixtures/published', file), join(scratch.dir, file));
}, 300_000);

afterAll(() => scratch?.remove());

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
