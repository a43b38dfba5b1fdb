import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackedPackage, repoRoot, run, succeed, type ScratchProject } from './support/packed-package.js';

// An app that tests its TOTP login with the fake authenticator and the fixed clock has no reason to install msw:
// saasus-mfa/testing must load and type-check without it. Only the fake SaaSus (saasus-mfa/testing/saasus) needs
// msw, and says so when it is missing. Reads dist/: `npm test` builds first.
let scratch: ScratchProject | undefined;
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');

const USE_KIT = `
const clock = createFixedClock(59_000);
const code: string = createFakeAuthenticator(clock).code('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
clock.advance(30_000);
export const codes: [string, number] = [code, clock.nowMs()];
`;

beforeAll(async () => {
  scratch = await installPackedPackage({ peers: ['@types/node'] });
  for (const [dir, type, importLine] of [
    ['esm', 'module', "import { createFakeAuthenticator, createFixedClock } from 'saasus-mfa/testing';"],
    ['cjs', 'commonjs', ''],
  ] as const) {
    mkdirSync(join(scratch.dir, dir));
    writeFileSync(join(scratch.dir, dir, 'package.json'), JSON.stringify({ type }));
    const source =
      dir === 'cjs'
        ? `import testing = require('saasus-mfa/testing');\nconst { createFakeAuthenticator, createFixedClock } = testing;\n`
        : `${importLine}\n`;
    writeFileSync(join(scratch.dir, dir, 'kit.ts'), source + USE_KIT);
  }
}, 300_000);

afterAll(() => scratch?.remove());

describe('saasus-mfa/testing without msw installed', () => {
  it('the scratch project really has no msw', () => {
    expect(existsSync(join(scratch!.dir, 'node_modules/msw'))).toBe(false);
    expect(existsSync(join(scratch!.dir, 'node_modules/saasus-mfa/dist/testing/index.js'))).toBe(true);
  });

  it.each([
    ['import (ESM)', ['--input-type=module', '-e', "const t = await import('saasus-mfa/testing');"]],
    ['require (CJS)', ['-e', "const t = require('saasus-mfa/testing');"]],
  ])('the authenticator and the clock load with %s and give the RFC 6238 code', async (_label, [...args]) => {
    const script = args.pop()!;
    const use =
      "const clock = t.createFixedClock(59_000); process.stdout.write(t.createFakeAuthenticator(clock).code('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'));";
    expect(await succeed(process.execPath, [...args, `${script} ${use}`], scratch!.dir)).toBe('287082');
  });

  it.each(['esm', 'cjs'])(
    '%s: the authenticator and the clock type-check, the package declarations included',
    async (dir) => {
      const compilerOptions = {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        target: 'ES2022',
        lib: ['ES2022'],
        types: ['node'],
        module: 'node16',
        moduleResolution: 'node16',
      };
      const config = `tsconfig.${dir}.json`;
      writeFileSync(join(scratch!.dir, config), JSON.stringify({ compilerOptions, include: [dir] }));
      const result = await run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], scratch!.dir);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
    // A whole tsc run with the declarations checked: over 20 s once on a loaded 2-core CI machine.
    90_000,
  );

  it.each([
    ['import (ESM)', ['--input-type=module', '-e', "await import('saasus-mfa/testing/saasus');"]],
    ['require (CJS)', ['-e', "require('saasus-mfa/testing/saasus');"]],
  ])('the fake SaaSus, loaded with %s, fails with an error that names msw', async (_label, args) => {
    const result = await run(process.execPath, args, scratch!.dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Cannot find (package|module) 'msw'/);
  });
});
