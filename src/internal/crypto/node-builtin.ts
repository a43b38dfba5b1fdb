import type * as NodeCrypto from 'node:crypto';

/** What `globalThis.process` offers here, when it is there at all (Node, Bun, Deno, workerd with nodejs_compat). */
interface MaybeProcess {
  getBuiltinModule?: (id: string) => unknown;
}

let cached: typeof NodeCrypto | null | undefined;

/**
 * node:crypto when the runtime has it, else undefined. It is asked for through `process.getBuiltinModule` (Node 20.16+,
 * Bun, Deno), never imported: a static `import 'node:crypto'` is what stops a Workers bundle without `nodejs_compat`
 * ("Could not resolve crypto"), and nothing else in this package needs it. Looked up once, on first use, so importing
 * a subpath touches no runtime object.
 */
export function nodeCrypto(): typeof NodeCrypto | undefined {
  if (cached === undefined) {
    const process = (globalThis as { process?: MaybeProcess }).process;
    let found: unknown;
    try {
      found = typeof process?.getBuiltinModule === 'function' ? process.getBuiltinModule('node:crypto') : undefined;
    } catch {
      // A runtime may expose the function but refuse the module; the portable path serves then.
      found = undefined;
    }
    cached = isNodeCrypto(found) ? found : null;
  }
  return cached ?? undefined;
}

function isNodeCrypto(value: unknown): value is typeof NodeCrypto {
  const candidate = value as Partial<typeof NodeCrypto> | undefined;
  return typeof candidate?.createHmac === 'function' && typeof candidate.createCipheriv === 'function';
}
