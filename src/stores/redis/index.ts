export { RedisMfaStore } from './redis-store.js';
export type { RedisMfaStoreOptions } from './redis-store.js';
export type { RedisScriptClient } from './script-runner.js';
