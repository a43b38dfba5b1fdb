import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { postgresAvailable, redisAvailable } from './support/services.js';

// These tests read dist/: `npm test` builds before running the suite.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH } });
const servicesUp = (await redisAvailable()) && (await postgresAvailable());
const subpaths = [
  'saasus-mfa',
  'saasus-mfa/saasus',
  'saasus-mfa/totp',
  'saasus-mfa/stores/redis',
  'saasus-mfa/stores/postgres',
  'saasus-mfa/testing',
  'saasus-mfa/testing/saasus',
];

describe('the built package', () => {
  it('has been built', () => {
    expect(existsSync(join(root, 'dist/index.js')), 'run `npm run build` first').toBe(true);
  });

  it.each(subpaths)('%s loads with require() and with import, exporting the same names', (name) => {
    const required = JSON.parse(
      node(['-e', `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(name)})).sort()))`]),
    );
    const imported = JSON.parse(
      node([
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(name)}); process.stdout.write(JSON.stringify(Object.keys(m).sort()))`,
      ]),
    );
    expect(required.length).toBeGreaterThan(0);
    expect(imported).toEqual(required);
  });

  it('runs the whole SaaSus lifecycle when required (CommonJS)', () => {
    expect(JSON.parse(node(['test/fixtures/built-lifecycle.cjs']))).toEqual({ enabled: true, method: 'softwareToken' });
  });

  it('runs the whole SaaSus lifecycle when imported (ESM)', () => {
    expect(JSON.parse(node(['test/fixtures/built-lifecycle.mjs']))).toEqual({ enabled: true, method: 'softwareToken' });
  });

  it('runs the self-hosted lifecycle when required (CommonJS)', () => {
    expect(JSON.parse(node(['test/fixtures/built-totp.cjs']))).toEqual({
      status: { enabled: true, method: 'softwareToken' },
      codes: 10,
    });
  });

  it.skipIf(!servicesUp)(
    'runs the self-hosted lifecycle on the memory, Redis and PostgreSQL stores when imported (ESM)',
    () => {
      const enabled = [{ enabled: true, method: 'softwareToken' }, 9];
      const env = {
        PATH: process.env.PATH,
        REDIS_URL: process.env.REDIS_URL,
        DATABASE_URL: process.env.DATABASE_URL,
      } as NodeJS.ProcessEnv;
      const output = execFileSync(process.execPath, ['test/fixtures/built-totp.mjs'], {
        cwd: root,
        encoding: 'utf8',
        env: JSON.parse(JSON.stringify(env)),
      });
      expect(JSON.parse(output)).toEqual({ memory: enabled, redis: enabled, postgres: enabled });
    },
  );

  it('never loads ioredis or pg from its own code: the app passes its client in', () => {
    for (const entry of ['saasus-mfa', 'saasus-mfa/totp', 'saasus-mfa/stores/redis', 'saasus-mfa/stores/postgres']) {
      const loaded = node([
        '-e',
        `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`,
      ]);
      expect(loaded, entry).not.toMatch(/node_modules[\\/](ioredis|pg)[\\/]/);
    }
  });

  it('does not load axios or msw for the core entry point', () => {
    const loaded = node([
      '-e',
      "require('saasus-mfa'); process.stdout.write(JSON.stringify(Object.keys(require.cache)))",
    ]);
    expect(loaded).not.toMatch(/node_modules[\\/](axios|msw)[\\/]/);
    // ESM: walk the static imports of dist/index.js and its chunks.
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toMatch(/from ['"](axios|msw)/);
      for (const [, relative] of text.matchAll(/from ['"](\.[^'"]+)['"]/g)) walk(resolve(dirname(file), relative!));
    };
    walk(join(root, 'dist/index.js'));
  });

  it('is side-effect free and exposes types first for every subpath', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.sideEffects).toBe(false);
    for (const key of [
      '.',
      './saasus',
      './totp',
      './stores/redis',
      './stores/postgres',
      './testing',
      './testing/saasus',
    ]) {
      for (const condition of ['import', 'require']) expect(Object.keys(pkg.exports[key][condition])[0]).toBe('types');
    }
  });
});
