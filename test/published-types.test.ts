import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackedPackage, repoRoot, run, type ScratchProject } from './support/packed-package.js';

// The packed tarball as a TypeScript app sees it, in the four ways such an app resolves packages. Each compiles the
// per-subpath files of fixtures/published/types (which the repository's own tsc also checks against src/) clean
// under strict and noImplicitAny, with the package's own declarations checked too (skipLibCheck off). The compiler
// does the same on any Node, so CI runs this file on the main Node version only.
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
let scratch: ScratchProject | undefined;

/** The specifiers an app imports types from: every key of the packed `exports` but the JSON one. */
const typedSubpaths = (exportKeys: string[]) =>
  exportKeys
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? 'saasus-mfa' : `saasus-mfa${key.slice(1)}`));

/**
 * One import of a name that does not exist per subpath, written from the packed `exports` so a new subpath is covered
 * without editing the test. Each must fail with "has no exported member": TypeScript found and read real
 * declarations (a missing one gives "could not find a declaration file" instead), so the check can fail.
 */
const missingNames = (specifiers: string[]) =>
  specifiers
    .map(
      (specifier, index) =>
        `import { NotExported${index} } from '${specifier}';\nexport const use${index} = NotExported${index};\n`,
    )
    .join('');

beforeAll(async () => {
  scratch = await installPackedPackage();
  for (const [dir, type] of [
    ['esm', 'module'],
    ['cjs', 'commonjs'],
  ] as const) {
    mkdirSync(join(scratch.dir, dir));
    cpSync(join(repoRoot, 'test/fixtures/published/types'), join(scratch.dir, dir), { recursive: true });
    writeFileSync(join(scratch.dir, dir, 'package.json'), JSON.stringify({ type }));
    writeFileSync(join(scratch.dir, dir, 'missing-names.ts'), missingNames(typedSubpaths(scratch.exportKeys)));
  }
}, 300_000);

afterAll(() => scratch?.remove());

const consumers = [
  { name: 'node16, ESM consumer (type: module)', dir: 'esm', module: 'node16', moduleResolution: 'node16' },
  { name: 'node16, CommonJS consumer (type: commonjs)', dir: 'cjs', module: 'node16', moduleResolution: 'node16' },
  { name: 'bundler, module esnext', dir: 'esm', module: 'esnext', moduleResolution: 'bundler' },
  { name: 'bundler, module preserve', dir: 'esm', module: 'preserve', moduleResolution: 'bundler' },
];

const DIAGNOSTIC = /^(?:(\S.*?)\(\d+,\d+\): )?error (TS\d+): (.*)$/;

describe('TypeScript consumers of the packed package', () => {
  it.concurrent.each(consumers)(
    '$name: every subpath has its declarations',
    async ({ name, dir, module, moduleResolution }) => {
      const { dir: project, exportKeys } = scratch!;
      const config = `tsconfig.${name.replace(/\W+/g, '-')}.json`;
      const compilerOptions = {
        strict: true,
        noImplicitAny: true,
        skipLibCheck: false,
        noEmit: true,
        target: 'ES2022',
        lib: ['ES2022'],
        types: ['node'],
        esModuleInterop: true,
        module,
        moduleResolution,
      };
      writeFileSync(join(project, config), JSON.stringify({ compilerOptions, include: [dir] }));
      const result = await run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], project);

      const diagnostics = result.stdout
        .split('\n')
        .map((line) => DIAGNOSTIC.exec(line))
        .filter((match) => match !== null)
        .map(([, file = '', code, message = '']) => ({ file, code, message }));
      // Other packages' declarations are theirs: msw's need the DOM lib, and its CJS types import ESM-only packages.
      const ours = diagnostics.filter(
        ({ file }) => !file.startsWith('node_modules/') || file.startsWith('node_modules/saasus-mfa/'),
      );
      const unexpected = ours.filter(({ file, code }) => !(file === `${dir}/missing-names.ts` && code === 'TS2305'));
      expect(unexpected, `tsc exited ${result.code}${result.stderr ? `: ${result.stderr}` : ''}`).toEqual([]);

      const missing = ours.map(({ message }) => /^Module '"([^"]+)"' has no exported member/.exec(message)?.[1]);
      expect(missing.sort()).toEqual(typedSubpaths(exportKeys).sort());
    },
    180_000,
  );
});
