import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between a driver (ioredis, pg) and the real service, that a test can make "go away" at a
 * chosen moment without touching the service itself (Redis and PostgreSQL are shared by every test run):
 *
 * - `refuse()`: live connections are cut and new ones are reset as soon as they are accepted (the service is down);
 * - `stall()`: connections stay open but nothing moves either way, new ones included (a hung server, a partition);
 *   bytes are held, not dropped, as TCP would, and flow again on `restore()`;
 * - `cutBefore(marker)`: the next request holding `marker` is not forwarded; its connection is cut;
 * - `cutAfterReply(marker)`: the next request holding `marker` is forwarded, and its connection is cut as soon as the
 *   service answers, so the service did the work but the driver never hears about it;
 * - `restore()`: back to a plain pipe for new connections and held ones.
 */
export class CuttableProxy {
  readonly #server: net.Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<Pair>();
  #mode: 'pass' | 'refuse' | 'stall' = 'pass';
  #trap: Trap | null = null;
  /** How many connections the proxy has accepted, for tests that check a driver reconnected. */
  accepted = 0;

  private constructor(server: net.Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
  }

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    const server = net.createServer();
    const proxy = new CuttableProxy(server, target);
    server.on('connection', (socket) => proxy.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  refuse(): void {
    this.#mode = 'refuse';
    for (const pair of this.#pairs) pair.cut();
  }

  stall(): void {
    this.#mode = 'stall';
    for (const pair of this.#pairs) pair.hold();
  }

  restore(): void {
    this.#mode = 'pass';
    this.#trap = null;
    for (const pair of this.#pairs) pair.release();
  }

  /** Cuts every live connection once; new ones pass. */
  cutLive(): void {
    for (const pair of this.#pairs) pair.cut();
  }

  /** Resolves when the trap has fired. */
  cutBefore(marker: string): Promise<void> {
    return this.#arm(marker, 'before');
  }

  cutAfterReply(marker: string): Promise<void> {
    return this.#arm(marker, 'after-reply');
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) pair.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #arm(marker: string, when: Trap['when']): Promise<void> {
    return new Promise((resolve) => {
      this.#trap = { marker: Buffer.from(marker), when, fired: resolve };
    });
  }

  /** The armed trap, if this request chunk sets it off; it fires once. */
  takeTrap(chunk: Buffer): Trap | null {
    const trap = this.#trap;
    if (!trap || !chunk.includes(trap.marker)) return null;
    this.#trap = null;
    return trap;
  }

  #accept(client: net.Socket): void {
    this.accepted++;
    if (this.#mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.#target);
    const pair = new Pair(this, client, upstream, () => this.#pairs.delete(pair));
    this.#pairs.add(pair);
    if (this.#mode === 'stall') pair.hold();
  }
}

interface Trap {
  marker: Buffer;
  when: 'before' | 'after-reply';
  fired: () => void;
}

/** One driver connection and its connection to the service. */
class Pair {
  readonly #client: net.Socket;
  readonly #upstream: net.Socket;
  #dropReplies: (() => void) | null = null;
  #closed = false;

  constructor(proxy: CuttableProxy, client: net.Socket, upstream: net.Socket, onClose: () => void) {
    this.#client = client;
    this.#upstream = upstream;
    const close = () => {
      if (this.#closed) return;
      this.#closed = true;
      client.destroy();
      // Ending (not destroying) the service side lets it finish what it already received, as a real server does
      // when a client vanishes.
      upstream.end();
      onClose();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);

    client.on('data', (chunk: Buffer) => {
      const trap = proxy.takeTrap(chunk);
      if (trap?.when === 'before') {
        this.cut();
        trap.fired();
        return;
      }
      if (trap?.when === 'after-reply') this.#dropReplies = trap.fired;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const fired = this.#dropReplies;
      if (fired) {
        this.#client.resetAndDestroy();
        close();
        fired();
        return;
      }
      client.write(chunk);
    });
  }

  hold(): void {
    this.#client.pause();
    this.#upstream.pause();
  }

  release(): void {
    this.#client.resume();
    this.#upstream.resume();
  }

  cut(): void {
    if (!this.#client.destroyed) this.#client.resetAndDestroy();
    this.#upstream.destroy();
  }
}
