export { RedisMfaStore } from './redis-store.js';
export type { RedisMfaStoreOptions } from './redis-store.js';
export type { ReplicaAcks } from './replica-acks.js';
export type { RedisScriptClient, RedisScriptPipeline } from './script-runner.js';
