import { MfaConfigurationError } from '../../errors.js';
import type { RedisScriptClient } from './script-runner.js';

/** How many replicas must have a write, and how long to wait for them, before a state change counts as done. */
export interface ReplicaAcks {
  /** Replicas of the node owning the user's keys that must confirm each write (Redis `WAIT`). Default 1. */
  replicas?: number;
  /** How long Redis waits for them, in ms (`WAIT`'s timeout); then the call fails as `store_unavailable`. Default 500. */
  timeoutMs?: number;
}

/** The settings in force, defaults applied. */
export interface ResolvedReplicaAcks {
  replicas: number;
  timeoutMs: number;
}

const DEFAULT_ACKS: ResolvedReplicaAcks = { replicas: 1, timeoutMs: 500 };

/**
 * Whether the client is a replicated deployment, by public ioredis API only: `isCluster` on a `Cluster`, and the
 * `sentinels` list in a `Redis` client's `options`. Anything else (a standalone client, an adapter) is standalone.
 */
export function isReplicatedClient(client: RedisScriptClient): boolean {
  if (client.isCluster === true) return true;
  const sentinels = (client.options as { sentinels?: unknown } | undefined)?.sentinels;
  return Array.isArray(sentinels) && sentinels.length > 0;
}

function whole(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new MfaConfigurationError(`RedisMfaStore replicaAcks.${name} must be a whole number from ${min} to ${max}`);
  return value;
}

/**
 * The `replicaAcks` option as the store runs it: `false` is off; absent is on (1 replica, 500 ms) for a Cluster or
 * Sentinel client and off otherwise; an object is on with its settings. On needs `pipeline()` on the client, so that
 * `WAIT` goes on the same connection as the script, right behind it, in the same network round trip.
 */
export function resolveReplicaAcks(
  option: ReplicaAcks | false | undefined,
  client: RedisScriptClient,
): ResolvedReplicaAcks | null {
  if (option === false) return null;
  if (option === undefined && !isReplicatedClient(client)) return null;
  if (option !== undefined && (typeof option !== 'object' || option === null))
    throw new MfaConfigurationError('RedisMfaStore replicaAcks must be false or { replicas, timeoutMs }');
  const acks = {
    replicas: whole(option?.replicas, 'replicas', 1, 100, DEFAULT_ACKS.replicas),
    timeoutMs: whole(option?.timeoutMs, 'timeoutMs', 1, 60_000, DEFAULT_ACKS.timeoutMs),
  };
  if (typeof client.pipeline !== 'function')
    throw new MfaConfigurationError(
      'RedisMfaStore replicaAcks needs a client with pipeline(), such as an ioredis Redis or Cluster instance',
    );
  return acks;
}
