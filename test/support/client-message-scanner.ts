// Message types after which the server runs what it was sent: a simple `Query`, or `Sync` closing
// an extended-protocol exchange (Parse/Bind/Execute commit only at Sync).
const RUNS_ON = new Set(['Q', 'S']);
// Request codes of the untyped messages a client may send before its startup message.
const PRE_STARTUP_REQUESTS = new Set([80877103 /* SSLRequest */, 80877104 /* GSSENCRequest */]);

/**
 * ClientMessageScanner follows the PostgreSQL wire protocol from client to server across chunk
 * boundaries and tells where a message that makes the server run a statement ends.
 */
export class ClientMessageScanner {
  private pending = Buffer.alloc(0);
  private started = false;

  /** Feeds one chunk; returns the offset just past the first `Query` or `Sync` that ends in it. */
  push(chunk: Buffer): number | undefined {
    const offsetOfChunk = this.pending.length;
    let buffer = Buffer.concat([this.pending, chunk]);
    let consumed = 0;
    let found: number | undefined;
    for (;;) {
      const typed = this.started;
      const header = typed ? 5 : 4;
      if (buffer.length < header) break;
      const length = typed ? buffer.readInt32BE(1) + 1 : buffer.readInt32BE(0);
      if (buffer.length < length) break;
      if (typed && found === undefined && RUNS_ON.has(String.fromCharCode(buffer[0]))) {
        found = consumed + length - offsetOfChunk;
      }
      // Startup is untyped; an SSL or GSS request before it is untyped too and followed by the startup.
      if (!typed && !PRE_STARTUP_REQUESTS.has(buffer.readInt32BE(4))) this.started = true;
      consumed += length;
      buffer = buffer.subarray(length);
    }
    this.pending = Buffer.from(buffer);
    return found;
  }
}
