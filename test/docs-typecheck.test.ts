import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { allBlocks, scratchDir, typeCheck, writeBlocks } from './support/doc-blocks.js';

// Every TypeScript block of the READMEs compiles as pasted, under the project's strict tsconfig, with `saasus-mfa/*`
// resolved to the sources. A fragment (```ts fragment) is checked after the declarations its context comment gives.
const blocks = allBlocks();
const dir = scratchDir('typecheck');
const diagnostics = typeCheck(writeBlocks(blocks, dir));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README code blocks type-check as pasted', () => {
  it('finds the blocks, and keeps fragments few', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    expect(blocks.filter((block) => block.fragment).length).toBeLessThanOrEqual(3);
    for (const block of blocks.filter((each) => each.fragment))
      expect(block.context, `${block.name} is a fragment without a context comment`).not.toBe('');
  });

  it.each(blocks.map((block) => [block.name, block] as const))('%s', (_name, block) => {
    expect(diagnostics.get(block)).toEqual([]);
  });
});
