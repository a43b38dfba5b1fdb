import { createHash } from 'node:crypto';
import { CLUSTER_SLOTS, clusterSlot } from './cluster-slot.js';
import type { ResolvedReplicaAcks } from './replica-acks.js';

/** The part of an ioredis pipeline the store uses: a script and `WAIT` queued, then sent together. */
export interface RedisScriptPipeline {
  /** Queues `EVALSHA`. */
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): unknown;
  /** Queues `EVAL`. */
  eval(script: string, numKeys: number, ...args: (string | number)[]): unknown;
  /** Queues any command (here `WAIT replicas timeout`). */
  call(command: string, ...args: (string | number)[]): unknown;
  /** Sends the queued commands in one write and answers `[error, reply]` per command. */
  exec(): Promise<[Error | null, unknown][] | null>;
}

/**
 * What the store needs from a Redis client, typed structurally so this package never depends on one: an ioredis
 * `Redis` or `Cluster` fits as is, and any other client can be adapted in a few lines.
 */
export interface RedisScriptClient {
  /** `EVALSHA`: runs a cached script; rejects with an Error whose message starts with `NOSCRIPT` when not cached. */
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** `EVAL script numKeys key... arg...`: runs the script and caches it on that node. */
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** A pipeline on the connection that owns the keys (ioredis); needed only with replica acknowledgement. */
  pipeline?(): RedisScriptPipeline;
  /** ioredis `Cluster`: reloads the slot map; the store calls it when a pipelined script was redirected. */
  refreshSlotsCache?(callback?: (error?: Error | null) => void): void;
  /** ioredis: true on a `Cluster` (replica acknowledgement then defaults to on). */
  readonly isCluster?: boolean;
  /** ioredis: the client's options; a non-empty `sentinels` list turns replica acknowledgement on by default. */
  readonly options?: object;
}

/** A Lua script with its SHA-1 computed here, so EVALSHA needs no SCRIPT LOAD round trip. */
export class LuaScript {
  /** The Lua source, sent with EVAL. */
  readonly source: string;
  /** Its SHA-1, sent with EVALSHA. */
  readonly sha: string;
  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

/** A script's reply, and whether the replicas asked for confirmed its writes (always true without acknowledgement). */
export interface ScriptReply {
  reply: unknown;
  acknowledged: boolean;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Cluster refusals answered before anything ran: the slot moved, is moving, or has no master for a moment. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;
/** How often a redirected pipeline is sent again (after a slot map reload) before its error is the answer. */
const REDIRECT_ATTEMPTS = 5;

/**
 * Runs the store's scripts, each in one network round trip.
 *
 * Loading: a script not yet known to be cached where it runs is sent whole (EVAL, which also caches it); once one
 * call has run there it goes by SHA (EVALSHA, 40 bytes). "Where" is the key's Cluster slot on a Cluster client (the
 * slot's node may change on a failover; a slot is a stable, bounded unit), or the one server otherwise. So concurrent
 * first calls on a node all run at once, none pays a NOSCRIPT round trip; NOSCRIPT is only seen after a failover,
 * restart or SCRIPT FLUSH, and then makes every later call of that script send it whole until it has run again.
 *
 * Acknowledgement: with `acks`, a write is sent as a pipeline of the script and `WAIT replicas timeout` on the same
 * connection (ioredis routes a Cluster pipeline by the keys' slot), so Redis confirms the write reached the replicas
 * in the same round trip.
 */
export class ScriptRunner {
  readonly #client: RedisScriptClient;
  readonly #acks: ResolvedReplicaAcks | null;
  readonly #cluster: boolean;
  /** Per script: the slots it is known cached on (Cluster), or whether the server has it. */
  readonly #cached = new Map<LuaScript, Uint8Array | boolean>();

  constructor(client: RedisScriptClient, acks: ResolvedReplicaAcks | null) {
    this.#client = client;
    this.#acks = acks;
    this.#cluster = client.isCluster === true;
  }

  /** The acknowledgement settings in force, or null when off. */
  get acks(): ResolvedReplicaAcks | null {
    return this.#acks;
  }

  /** Runs `script`; `write` asks for replica acknowledgement (when configured). `keys[0]` names the slot. */
  async run(script: LuaScript, keys: readonly string[], args: readonly string[], write: boolean): Promise<ScriptReply> {
    const slot = this.#cluster && keys.length > 0 ? clusterSlot(keys[0]!) : 0;
    let redirects = 0;
    let noScripts = 0;
    for (;;) {
      const whole = !this.#isCached(script, slot);
      try {
        return await this.#send(script, whole, keys, args, write, slot);
      } catch (error) {
        // NOSCRIPT and a redirection are answered before the script runs, so sending it again is safe. NOSCRIPT
        // often follows a redirection (the slot's new node never ran the script); the script then goes whole, which
        // never answers NOSCRIPT (bounded all the same: a concurrent call may mark it cached again meanwhile).
        if (!whole && isNoScript(error) && ++noScripts <= REDIRECT_ATTEMPTS) {
          this.#cached.delete(script);
          continue;
        }
        if (++redirects < REDIRECT_ATTEMPTS && this.#redirected(error)) {
          await this.#reloadSlots();
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * ioredis follows MOVED and ASK itself for a lone command, but not for a pipeline holding a command that is not
   * read-only (WAIT): the script's error comes back instead. Only pipelines (acknowledged writes) land here.
   */
  #redirected(error: unknown): boolean {
    return (
      error instanceof Error && REDIRECTED.test(error.message) && typeof this.#client.refreshSlotsCache === 'function'
    );
  }

  async #reloadSlots(): Promise<void> {
    await new Promise<void>((resolve) => this.#client.refreshSlotsCache!(() => resolve()));
    // A slot without a master (TRYAGAIN, CLUSTERDOWN, a failover under way) needs a moment, not a tight loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async #send(
    script: LuaScript,
    whole: boolean,
    keys: readonly string[],
    args: readonly string[],
    write: boolean,
    slot: number,
  ): Promise<ScriptReply> {
    const head = whole ? script.source : script.sha;
    const acks = write ? this.#acks : null;
    let result: ScriptReply;
    if (acks === null) {
      const reply = whole
        ? await this.#client.eval(head, keys.length, ...keys, ...args)
        : await this.#client.evalsha(head, keys.length, ...keys, ...args);
      result = { reply, acknowledged: true };
    } else {
      const pipeline = this.#client.pipeline!();
      if (whole) pipeline.eval(head, keys.length, ...keys, ...args);
      else pipeline.evalsha(head, keys.length, ...keys, ...args);
      pipeline.call('WAIT', acks.replicas, acks.timeoutMs);
      const answers = await pipeline.exec();
      const [scriptError, reply] = answers?.[0] ?? [new Error('Redis answered no reply to the pipeline'), null];
      if (scriptError) throw scriptError;
      const [waitError, replicas] = answers?.[1] ?? [null, 0];
      result = { reply, acknowledged: !waitError && typeof replicas === 'number' && replicas >= acks.replicas };
    }
    this.#markCached(script, slot);
    return result;
  }

  #isCached(script: LuaScript, slot: number): boolean {
    const cached = this.#cached.get(script);
    return cached === true || (cached instanceof Uint8Array && cached[slot] === 1);
  }

  #markCached(script: LuaScript, slot: number): void {
    if (!this.#cluster) {
      this.#cached.set(script, true);
      return;
    }
    let slots = this.#cached.get(script);
    if (!(slots instanceof Uint8Array)) this.#cached.set(script, (slots = new Uint8Array(CLUSTER_SLOTS)));
    slots[slot] = 1;
  }
}
