import { MfaProviderError } from '../../errors.js';
import type { UserKeys } from './keys.js';
import type { ResolvedReplicaAcks } from './replica-acks.js';
import { replyProblem } from './reply-problem.js';
import type { LuaScript, ScriptRunner } from './script-runner.js';

/** A number as the decimal string Lua compares with tonumber and Redis stores verbatim. */
export function decimal(value: number, name: string): string {
  if (!Number.isFinite(value)) throw new RangeError(`RedisMfaStore: ${name} must be a finite number`);
  return String(value);
}

/** PEXPIRE takes a positive whole number of milliseconds. */
export const ttl = (ms: number, name: string) => decimal(Math.max(1, Math.ceil(ms)), name);

/**
 * How the store's operations reach Redis, in three kinds, each one script in one round trip:
 * - `read`: no write, no acknowledgement.
 * - `write`: a state change under a fresh operation id (its outcome key first, with the resend window), so a call the
 *   driver sends again answers its first outcome; acknowledged by the replicas when `isSuccess(reply)`.
 * - `acknowledged`: a write that needs no operation id (running it twice is running it once), acknowledged the same.
 * When the replicas asked for did not confirm a success, the call fails: the change may be lost in a failover, so
 * answering it as done could accept a code twice, show recovery codes that will not work, or trust a revoked device.
 */
export class ScriptCalls {
  readonly #runner: ScriptRunner;
  readonly #resendWindow: string;

  constructor(runner: ScriptRunner, resendWindowMs: number) {
    this.#runner = runner;
    this.#resendWindow = String(resendWindowMs);
  }

  async read(script: LuaScript, keys: readonly string[], args: readonly string[] = []): Promise<unknown> {
    return (await this.#run(script, keys, args, false)).reply;
  }

  async write(
    script: LuaScript,
    user: UserKeys,
    keys: readonly string[],
    args: readonly string[],
    isSuccess: (reply: unknown) => boolean,
  ): Promise<unknown> {
    const outcomeKey = user.operation(crypto.randomUUID());
    return this.acknowledged(script, [outcomeKey, ...keys], [this.#resendWindow, ...args], isSuccess);
  }

  async acknowledged(
    script: LuaScript,
    keys: readonly string[],
    args: readonly string[],
    isSuccess: (reply: unknown) => boolean,
  ): Promise<unknown> {
    const answer = await this.#run(script, keys, args, true);
    if (!answer.acknowledged && isSuccess(answer.reply)) throw notAcknowledged(this.#runner.acks!);
    return answer.reply;
  }

  async #run(script: LuaScript, keys: readonly string[], args: readonly string[], write: boolean) {
    try {
      return await this.#runner.run(script, keys, args, write);
    } catch (error) {
      throw replyProblem(error) ?? error;
    }
  }
}

function notAcknowledged({ replicas, timeoutMs }: ResolvedReplicaAcks): MfaProviderError {
  const what = replicas === 1 ? '1 replica' : `${replicas} replicas`;
  return new MfaProviderError(
    `The MFA store (redis) did not confirm the write on ${what} within ${timeoutMs} ms; its outcome is unknown`,
    { type: 'store_unavailable', retryable: true, hint: 'WAIT replicas_not_acknowledged' },
  );
}
