import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './packed-package.js';

// The TypeScript blocks of the READMEs, as a reader copies them. A block is a whole program unless its info string
// says `ts fragment`; a fragment is type-checked after the declarations of the HTML comment right above it
// (`<!-- fragment context: ... -->`), never run; a context that is a `declare module '…' { … }` stands for a package
// that is not installed here and is checked as its own declaration file. Whole programs are type-checked and run.

/** The documents whose TypeScript blocks are tested. */
export const DOCUMENTS = ['README.md', 'examples/README.md'];

const TYPESCRIPT = new Set(['ts', 'typescript']);
const CONTEXT_START = '<!-- fragment context:';

export interface DocBlock {
  /** `README.md:42`: the document and the line of the opening fence, as a reader finds it. */
  name: string;
  document: string;
  /** 1-based line of the block's first code line in the document. */
  firstLine: number;
  code: string;
  fragment: boolean;
  /** Declarations a fragment is checked with (empty for a whole program). */
  context: string;
  /** The context declares a module (`declare module 'x' { … }`): it goes into a declaration file of its own. */
  ambient: boolean;
  /** The services the program talks to, read from its imports: its run is skipped visibly without them. */
  services: ('redis' | 'postgres')[];
}

/** The lines of an HTML comment `<!-- fragment context: ... -->` ending on the line before `fence`, if any. */
function contextBefore(lines: string[], fence: number): string {
  if (!lines[fence - 1]?.trim().endsWith('-->')) return '';
  for (let start = fence - 1; start >= 0; start--) {
    const line = lines[start]!.trim();
    if (line.startsWith(CONTEXT_START)) {
      const text = lines.slice(start, fence).join('\n').trim();
      return text.slice(CONTEXT_START.length, -'-->'.length).trim();
    }
    if (start < fence - 1 && line.endsWith('-->')) break;
  }
  return '';
}

const fragment = (info: string) => info.split(/\s+/).includes('fragment');

/** Every TypeScript block of one document, in order. */
export function blocksOf(document: string): DocBlock[] {
  const lines = readFileSync(join(repoRoot, document), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,})\s*(\S*)\s*(.*)$/.exec(lines[index]!);
    if (!open) continue;
    const [, indent = '', fence = '', language = '', rest = ''] = open;
    let end = index + 1;
    while (end < lines.length && !(lines[end]!.trim().startsWith(fence) && lines[end]!.trim() === fence)) end++;
    if (TYPESCRIPT.has(language.toLowerCase())) {
      const context = fragment(rest) ? contextBefore(lines, index) : '';
      const code = lines
        .slice(index + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
        .join('\n');
      blocks.push({
        name: `${document}:${index + 1}`,
        document,
        firstLine: index + 2,
        code,
        fragment: fragment(rest),
        context,
        ambient: /^declare module\s/.test(context),
        services: [
          ...(/from ['"]ioredis['"]/.test(code) ? ['redis' as const] : []),
          ...(/from ['"]pg['"]/.test(code) ? ['postgres' as const] : []),
        ],
      });
    }
    index = end;
  }
  return blocks;
}

export const allBlocks = (): DocBlock[] => DOCUMENTS.flatMap(blocksOf);

/** A file name for a block: `README.md:42` → `README.md-42.ts`, `examples/README.md:7` → `examples-README.md-7.ts`. */
const fileName = (block: DocBlock) => `${block.name.replaceAll('/', '-').replace(':', '-')}.ts`;

/**
 * Writes each block as its own module (context first for a fragment; `export {}` so top-level await is allowed
 * and blocks never share names) in `dir`, which must be inside the repository so `saasus-mfa/*` and the
 * dependencies resolve as the project's tsconfig resolves them: to the sources in src/.
 */
export function writeBlocks(blocks: DocBlock[], dir: string): Map<DocBlock, string> {
  mkdirSync(dir, { recursive: true });
  const files = new Map<DocBlock, string>();
  for (const block of blocks) {
    const file = join(dir, fileName(block));
    const prelude = block.context && !block.ambient ? `${block.context}\n` : '';
    writeFileSync(file, `${prelude}${block.code}\nexport {};\n`);
    if (block.ambient) writeFileSync(file.replace(/\.ts$/, '.context.d.ts'), `${block.context}\n`);
    files.set(block, file);
  }
  return files;
}

/**
 * Type-checks the written blocks together under the project's tsconfig (strict, noUncheckedIndexedAccess, NodeNext)
 * and answers each block's diagnostics, located by document line (a line of a fragment's context says so).
 */
export function typeCheck(files: Map<DocBlock, string>): Map<DocBlock, string[]> {
  const configPath = join(repoRoot, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot, undefined, configPath);
  const roots = [...files].flatMap(([block, file]) =>
    block.ambient ? [file, file.replace(/\.ts$/, '.context.d.ts')] : [file],
  );
  const program = ts.createProgram(roots, { ...parsed.options, noEmit: true });
  const contextFiles = new Map(
    [...files]
      .filter(([block]) => block.ambient)
      .map(([block, file]) => [file.replace(/\.ts$/, '.context.d.ts'), block]),
  );
  const byFile = new Map<string, DocBlock>([
    ...[...files].map(([block, file]) => [file, block] as const),
    ...contextFiles,
  ]);
  const found = new Map<DocBlock, string[]>([...files.keys()].map((block) => [block, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const block = diagnostic.file ? byFile.get(diagnostic.file.fileName) : undefined;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!block || !diagnostic.file || diagnostic.start === undefined) {
      // A problem outside the blocks (a broken source file) fails every block rather than none.
      for (const list of found.values()) list.push(`TS${diagnostic.code}: ${message}`);
      continue;
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const contextLines = block.context && !block.ambient ? block.context.split('\n').length : 0;
    const where =
      line < contextLines || contextFiles.has(diagnostic.file.fileName)
        ? `${block.document} fragment context`
        : `${block.document}:${block.firstLine + line - contextLines}`;
    found.get(block)!.push(`${where}: TS${diagnostic.code}: ${message}`);
  }
  return found;
}

/** Where the blocks of one test run are written: ignored by git, prettier, eslint and the project's tsc. */
export const scratchDir = (purpose: string): string =>
  join(repoRoot, 'test-artifacts', `doc-blocks-${purpose}-${process.pid}-${Date.now()}`);

export const relativeToRepo = (path: string): string => relative(repoRoot, path);
