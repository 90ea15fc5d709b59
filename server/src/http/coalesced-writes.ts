import type { Server } from "node:http";
import { type Socket, Socket as SocketClass } from "node:net";
// Node's own, not the global a test's fake timers replace: held writes must go out whatever a test fakes.
import { setImmediate } from "node:timers";

/**
 * Sends what the server's connections write in small batches: a write is held until `batch` writes
 * are waiting or the event loop's turn ends (the check phase, where `setImmediate` callbacks run),
 * whichever comes first, and then the batch goes out connection after connection.
 *
 * Why: every write to a socket whose reader sleeps wakes that reader. Where the reader is a process on
 * the same machine — a reverse proxy or sidecar beside the server, or a load generator — the kernel does
 * that wake-up in the writer's system call, and on a virtual machine it is an interrupt to another vCPU:
 * `perf` put 11–16% of our server's CPU time there under W1 (`sock_def_readable` →
 * `_raw_spin_unlock_irqrestore`), and the slower the server, the more often the reader has gone back to
 * sleep between two answers. In a batch, the first write wakes the reader and the rest find it awake.
 * Batches stay small because a held answer keeps its request's objects alive: holding every answer to
 * the turn's end cut the wake-ups to a quarter but made each young collection ten times as long (objects
 * of ~45 requests alive at once) and the server no faster (BENCHMARKS.md, "Answers sent in batches").
 *
 * What changes for a client: an answer may wait for up to `batch - 1` others, never past the end of the
 * turn that wrote it, and one connection's bytes stay in order (a stream asks for its next write only
 * once the last one is done). Writes are held in the stream's own extension points (`_write`,
 * `_writev`), so everything above them (HTTP, WebSocket frames, backpressure, `finish`) is unchanged. A
 * connection that is destroyed with a write held gets that write first, as it would have had it before:
 * an error answer written just before `destroy()` (our clientError handler, Node's) still goes out.
 *
 * Written by hand: Node has no batching of writes across sockets (uWebSockets.js calls its version of
 * this "corking"), and `socket.cork()` cannot do it, since `response.end()` uncorks fully.
 */
export function coalesceWrites(server: Server, { batch }: { batch: number }): void {
  if (batch <= 1) return;
  patchSocketPrototype();
  server.on("connection", function holdWrites(socket: Socket) {
    batchOf.set(socket, batch);
  });
}

/** The batch size of each socket whose writes are held: the connections of servers that asked for it. */
const batchOf = new WeakMap<Socket, number>();
/** The write each connection has waiting, in the order they asked: at most one each. */
const held = new Map<Socket, () => void>();
let scheduled = false;
/** Marks Socket.prototype once patched: several servers in one process (tests) patch it once. */
const patched = Symbol("trellis.coalescedWrites");

/**
 * Holds writes in `Socket.prototype`'s own `_write`, `_writev` and `_destroy`, for the sockets in
 * `batchOf` only (every other socket — database, Redis — goes straight through). Patched on the
 * prototype rather than on each connection: three methods of its own on every socket gave sockets a
 * shape of their own, and stream code that touched one ran slower (W1's p99 went from ~4 to ~12 ms).
 */
function patchSocketPrototype(): void {
  const prototype = SocketClass.prototype as Socket & { [patched]?: true };
  if (prototype[patched]) return;
  prototype[patched] = true;
  const { _write: write, _writev: writev, _destroy: destroy } = prototype;
  prototype._write = function (this: Socket, chunk, encoding, done) {
    const batch = batchOf.get(this);
    if (batch === undefined) return write.call(this, chunk, encoding, done);
    hold(this, batch, () => write.call(this, chunk, encoding, done));
  };
  if (writev) {
    prototype._writev = function (this: Socket, chunks, done) {
      const batch = batchOf.get(this);
      if (batch === undefined) return writev.call(this, chunks, done);
      hold(this, batch, () => writev.call(this, chunks, done));
    };
  }
  prototype._destroy = function (this: Socket, error, done) {
    sendHeld(this);
    destroy.call(this, error, done);
  };
}

function hold(socket: Socket, batch: number, send: () => void): void {
  held.set(socket, send);
  if (held.size >= batch) {
    sendAll();
  } else if (!scheduled) {
    scheduled = true;
    setImmediate(atTurnEnd);
  }
}

function atTurnEnd(): void {
  scheduled = false;
  sendAll();
}

function sendAll(): void {
  // A write that finishes at once may let its stream ask for the next one here: the loop sends that too.
  for (const [socket, send] of held) {
    held.delete(socket);
    send();
  }
}

function sendHeld(socket: Socket): void {
  const send = held.get(socket);
  if (send === undefined) return;
  held.delete(socket);
  send();
}
