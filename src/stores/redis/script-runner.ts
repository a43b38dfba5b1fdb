import { createHash } from 'node:crypto';

/**
 * The two commands the store needs, typed structurally so this package never depends on a Redis client: an ioredis
 * `Redis` or `Cluster` fits as is, and any other client can be adapted in a few lines.
 */
export interface RedisScriptClient {
  /** `EVALSHA`: runs a cached script; rejects with an Error whose message starts with `NOSCRIPT` when not cached. */
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** `EVAL script numKeys key... arg...`: sent only after `NOSCRIPT`; runs the script and caches it. */
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** A Lua script with its SHA-1 computed here, so the first call needs no SCRIPT LOAD round trip. */
export class LuaScript {
  readonly source: string;
  readonly sha: string;
  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * EVALSHA sends 40 bytes instead of the script. After a restart, SCRIPT FLUSH or failover to a node that never saw
 * the script, Redis answers NOSCRIPT without running anything, so sending EVAL then is safe (it also caches the
 * script for the next EVALSHA). A client's own `defineCommand` would do the same but modify the app's client.
 */
export async function runScript(
  client: RedisScriptClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.eval(script.source, keys.length, ...keys, ...args);
  }
}
