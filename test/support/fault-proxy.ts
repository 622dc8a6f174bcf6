import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { ClientMessageScanner } from './client-message-scanner';

/**
 * What the proxy does with traffic:
 * - `pass`: forwards both ways;
 * - `refuse`: stops listening (new connections get ECONNREFUSED) and resets the open ones;
 * - `blackhole`: accepts connections but never forwards or answers, and never resets (a dead network);
 * - `cut`: forwards a query (simple `Query` or extended-protocol `Sync`) to the server, then cuts the
 *   connection before any answer comes back: the statement runs, its acknowledgement is lost;
 * - `latency`: forwards both ways after `latencyMs`.
 */
export type FaultMode = 'pass' | 'refuse' | 'blackhole' | 'cut' | 'latency';

interface Pair {
  client: Socket;
  server?: Socket;
  timers: Set<NodeJS.Timeout>;
}

/**
 * FaultProxy is a TCP proxy in front of a PostgreSQL server whose behaviour tests switch at run time
 * to inject network faults. `close()` closes every socket and timer it opened.
 */
export class FaultProxy {
  private mode: FaultMode = 'pass';
  private latencyMs = 0;
  private cutsLeft = Infinity;
  private cutMarker?: Buffer;
  private readonly pairs = new Set<Pair>();
  // Server sides of cut connections, kept open until the server has read the query and hung up.
  private readonly lingering = new Set<Socket>();
  private armed?: { marker: Buffer; fired: () => void };
  private readonly listener: Server;
  private listening = false;
  /** The port the proxy listens on (127.0.0.1). */
  port = 0;
  /** How many connections were cut after a query was forwarded. */
  cuts = 0;
  /** How many client connections the proxy accepted. */
  accepted = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.listener = createServer((client) => this.accept(client));
  }

  /** Starts a proxy to `target` on a free port. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await proxy.listen(0);
    const address = proxy.listener.address();
    // Kept so that leaving `refuse` listens again on the same port.
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  /** A `postgres://` URL through the proxy, taking credentials and database from `serverUrl`. */
  url(serverUrl: string): string {
    const url = new URL(serverUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /**
   * Switches the behaviour. `latencyMs` applies to `latency`; `times` limits `cut` to that many cuts,
   * after which the proxy passes traffic again; `marker` aims `cut` at queries whose messages contain it
   * (a prepared statement's name travels in every Bind), others pass.
   */
  async setMode(mode: FaultMode, options: { latencyMs?: number; times?: number; marker?: string } = {}): Promise<void> {
    this.mode = mode;
    this.latencyMs = options.latencyMs ?? 0;
    this.cutsLeft = options.times ?? Infinity;
    this.cutMarker = options.marker === undefined ? undefined : Buffer.from(options.marker);
    if (mode === 'refuse') {
      for (const pair of [...this.pairs]) this.drop(pair, true);
      await this.unlisten();
    } else if (!this.listening) {
      await this.listen(this.port);
    }
  }

  /**
   * Aims a blackhole at one statement: the first client message containing `marker` (a prepared
   * statement's name travels in every Bind) is still forwarded, so the server runs it, and from then on
   * the proxy is a black hole until `setMode('pass')`. Resolves when it fired.
   */
  blackholeAfter(marker: string): Promise<void> {
    return new Promise((resolve) => {
      this.armed = { marker: Buffer.from(marker), fired: resolve };
    });
  }

  /** Closes the listener, every connection and every pending delayed write. */
  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.drop(pair, false);
    for (const socket of this.lingering) socket.destroy();
    this.lingering.clear();
    await this.unlisten();
  }

  private accept(client: Socket): void {
    this.accepted++;
    const pair: Pair = { client, timers: new Set() };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair, false));
    client.on('close', () => this.drop(pair, false));
    // A connection opened into a black hole stays there: nothing is ever forwarded.
    if (this.mode === 'blackhole') return void client.on('data', () => undefined);
    const server = createConnection(this.target);
    pair.server = server;
    server.on('error', () => this.drop(pair, false));
    server.on('close', () => this.drop(pair, false));
    const scanner = new ClientMessageScanner();
    client.on('data', (chunk: Buffer) => this.fromClient(pair, scanner, chunk));
    server.on('data', (chunk: Buffer) => this.forward(pair, client, chunk));
  }

  private fromClient(pair: Pair, scanner: ClientMessageScanner, chunk: Buffer): void {
    const server = pair.server!;
    const end = scanner.push(chunk);
    if (this.mode === 'cut' && this.cutsLeft > 0 && end !== undefined && (!this.cutMarker || chunk.includes(this.cutMarker))) {
      this.cutsLeft--;
      this.cuts++;
      if (this.cutsLeft === 0) this.mode = 'pass';
      // Half-close towards the server: it still reads, runs and commits the statement, but its answer
      // is read and thrown away; the client sees its connection end without an answer.
      pair.server = undefined;
      this.lingering.add(server);
      server.removeAllListeners('data');
      server.removeAllListeners('close');
      server.on('data', () => undefined);
      server.on('close', () => this.lingering.delete(server));
      server.end(chunk.subarray(0, end));
      this.drop(pair, false);
      return;
    }
    if (this.armed && chunk.includes(this.armed.marker)) {
      const { fired } = this.armed;
      this.armed = undefined;
      server.write(chunk);
      this.mode = 'blackhole';
      fired();
      return;
    }
    this.forward(pair, server, chunk);
  }

  private forward(pair: Pair, to: Socket, chunk: Buffer): void {
    if (this.mode === 'blackhole') return;
    if (this.mode !== 'latency' || this.latencyMs === 0) return void to.write(chunk);
    const timer = setTimeout(() => {
      pair.timers.delete(timer);
      if (!to.destroyed) to.write(chunk);
    }, this.latencyMs);
    pair.timers.add(timer);
  }

  private drop(pair: Pair, reset: boolean): void {
    if (!this.pairs.delete(pair)) return;
    for (const timer of pair.timers) clearTimeout(timer);
    if (reset) pair.client.resetAndDestroy();
    else pair.client.destroy();
    pair.server?.destroy();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(port, '127.0.0.1', () => {
        this.listener.off('error', reject);
        this.listening = true;
        resolve();
      });
    });
  }

  private unlisten(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => this.listener.close(() => resolve()));
  }
}
