import type { Redis } from 'ioredis';

/**
 * Counts, on the Redis server itself, the commands that touch one key prefix: MONITOR on a connection of its own
 * shows every command the server runs, the ones a Lua script runs included (source `lua`). Commands of other
 * clients (the server is shared) are filtered out by the prefix. Used for a few calls only: MONITOR slows Redis.
 */
export class RedisCommandCounter {
  #events: { lua: boolean; command: string }[] = [];
  #marks = 0;
  #waiting: { mark: string; resolve: () => void } | undefined;

  private constructor(
    private readonly monitor: Redis,
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  static async start(client: Redis, prefix: string): Promise<RedisCommandCounter> {
    const monitor = await client.duplicate().monitor();
    // On a shared, busy server the first lines of MONITOR can arrive in the same read as its OK, before ioredis has
    // switched the connection to monitoring: it reports those lines as a "command queue state error" and drops
    // them. They are other clients' commands from before any measurement, so that is harmless; anything else is not.
    monitor.on('error', (error: Error) => {
      if (!error.message.startsWith('Command queue state error')) throw error;
    });
    const counter = new RedisCommandCounter(monitor, client, prefix);
    monitor.on('monitor', (_time: string, args: string[], source: string) => counter.#seen(args, source));
    return counter;
  }

  #seen(args: string[], source: string): void {
    const mark = this.#waiting?.mark;
    if (mark !== undefined && args.includes(mark)) {
      this.#waiting!.resolve();
      return;
    }
    if (args.some((arg) => typeof arg === 'string' && arg.startsWith(this.prefix))) {
      this.#events.push({ lua: source === 'lua', command: String(args[0]).toUpperCase() });
    }
  }

  /** Runs `operation` and answers the commands the server ran for it: sent by the client, and run inside scripts. */
  async measure(operation: () => Promise<unknown>): Promise<{ sent: number; inScripts: number; commands: string[] }> {
    await this.#flush();
    this.#events = [];
    await operation();
    await this.#flush();
    const events = this.#events;
    return {
      sent: events.filter((e) => !e.lua).length,
      inScripts: events.filter((e) => e.lua).length,
      commands: events.map((e) => e.command),
    };
  }

  /** MONITOR output is asynchronous: an ECHO sent after the operation arrives after everything it caused. */
  async #flush(): Promise<void> {
    const mark = `${this.prefix}mark:${++this.#marks}`;
    const seen = new Promise<void>((resolve) => (this.#waiting = { mark, resolve }));
    await this.client.echo(mark);
    await seen;
    this.#waiting = undefined;
  }

  stop(): void {
    this.monitor.disconnect();
  }
}
