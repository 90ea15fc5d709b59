import pg from "pg";

/** Pipelined connections a server opens by default, besides its pool (BENCHMARKS.md, "Pipelined queries"). */
export const DEFAULT_PIPELINED_CONNECTIONS = 2;

/**
 * What Prisma's adapter and the SQL reader use as their pool: every query outside a transaction goes to a
 * few pipelined connections, and each transaction gets a connection of its own from a plain pg.Pool.
 *
 * Pipelined: a query is written to its connection at once, without waiting for the queries before it to be
 * answered (pg's `pipeline` mode), and all the queries issued in one turn of the event loop leave in one write
 * per connection. The first query of a turn corks the connection's socket; `setImmediate`, which runs once
 * every I/O callback of the turn has, uncorks it.
 *
 * Why: under W2 our process is the bottleneck (a full core), and a third of its time went to `writev`: one
 * system call per query, each paying loopback TCP's whole path, because a pooled connection carries one
 * query at a time and 50 concurrent list requests made 50 writes. Pipelined, the requests that arrive
 * together share one write, and PostgreSQL's answers come back together in fewer reads.
 *
 * A query goes to the connection with the fewest queries in flight, so one slow query (a search through a
 * large table) holds up only the queries behind it on its own connection. Each query outside a transaction
 * runs in a transaction of its own on the server (pg sends a Sync after each), so a failing query fails
 * alone. Nothing that holds session state (SET, session advisory locks, temporary tables) may run outside a
 * transaction — as with any pool, where the next query may get another connection, but here the state would
 * also reach queries running at the same time. It is a `pg.Pool` because Prisma's adapter accepts nothing
 * else (it tests `instanceof pg.Pool`); the adapter calls `query(config)` for single queries and `connect()`
 * for a transaction.
 *
 * A connection that fails fails the queries on it (pg answers each with the error) and is replaced by the
 * next query. Like the pool's `allowExitOnIdle`, a connection with nothing in flight does not hold the
 * process open.
 */
export class PipelinedPool extends pg.Pool {
  readonly #transactions: pg.Pool;
  readonly #slots: Slot[];
  #closed = false;

  /**
   * `transactions` hands out a transaction's connection and is ended with this pool. The pipelined connections
   * are made from its options, as its own are (pg-pool gives a new Client all of them), `onConnect` included.
   */
  constructor(transactions: pg.Pool, connections: number) {
    // Its options, so that whoever reads `options` (Prisma's adapter factory does) sees the database's config.
    super(transactions.options);
    if (!(connections >= 1)) throw new Error("PipelinedPool: at least one connection");
    this.#transactions = transactions;
    // pg.Pool emits "error" when an idle pooled connection fails, and an "error" nobody listens to ends the
    // process: the listeners are on this pool (Prisma's adapter adds one), so pass it on.
    transactions.on("error", (error) => this.emit("error", error));
    this.#slots = Array.from({ length: connections }, () => ({ inFlight: 0 }));
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg.Pool's overloads; the adapter calls query(config) or query(text).
  override query(config: any, values?: unknown, ...callback: unknown[]): any {
    if (typeof values === "function" || callback.length > 0) {
      throw new TypeError("PipelinedPool#query returns a promise: it takes no callback");
    }
    if (this.#closed) return Promise.reject(new Error("The pipelined pool is closed"));
    const slot = this.#leastBusy();
    // Counted from now, not from the write: the queries that arrive while a connection opens spread over all.
    if (slot.inFlight++ === 0 && slot.client) socketOf(slot.client).ref();
    const sent = slot.client
      ? send(slot.client, config, values)
      : this.#open(slot).then((client) => send(client, config, values));
    return sent.then(
      (result) => {
        settle(slot);
        return result;
      },
      (error: unknown) => {
        settle(slot);
        throw error;
      },
    );
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg.Pool's overloads, passed through.
  override connect(...args: any[]): any {
    return (this.#transactions.connect as (...a: unknown[]) => unknown).apply(this.#transactions, args);
  }

  override async end(): Promise<void> {
    this.#closed = true;
    const opening = this.#slots.flatMap((slot) => (slot.opening ? [slot.opening] : []));
    const clients = await Promise.allSettled(opening);
    await Promise.allSettled(clients.flatMap((result) => (result.status === "fulfilled" ? [result.value.end()] : [])));
    await this.#transactions.end();
  }

  #leastBusy(): Slot {
    let best = this.#slots[0]!;
    for (let i = 1; i < this.#slots.length; i++) if (this.#slots[i]!.inFlight < best.inFlight) best = this.#slots[i]!;
    return best;
  }

  #open(slot: Slot): Promise<pg.Client> {
    if (slot.opening) return slot.opening;
    const { options } = this.#transactions;
    // `pipeline` is pg 8.23's; its types do not list it yet.
    const client = new pg.Client({ ...options, pipeline: true } as pg.ClientConfig);
    const forget = () => {
      if (slot.client === client) slot.client = undefined;
      if (slot.opening === opening) slot.opening = undefined;
    };
    client.on("error", forget);
    client.on("end", forget);
    const opening = client
      .connect()
      // pg-pool's hook, awaited as pg-pool awaits it; its type says void, but it may return a promise.
      .then(() => options.onConnect?.(client))
      .then(
        () => {
          if (slot.inFlight === 0) socketOf(client).unref();
          slot.client = client;
          return client;
        },
        (error: unknown) => {
          forget();
          client.end().catch(() => {});
          throw error;
        },
      );
    slot.opening = opening;
    return opening;
  }
}

function send(client: pg.Client, config: unknown, values: unknown): Promise<pg.QueryResult> {
  corkForThisTurn(client);
  return client.query(config as pg.QueryConfig, values as unknown[] | undefined);
}

function settle(slot: Slot) {
  if (--slot.inFlight === 0 && slot.client) socketOf(slot.client).unref();
}

interface Slot {
  /** Set once connected, until the connection fails or ends. */
  client?: pg.Client;
  opening?: Promise<pg.Client>;
  /** Queries sent on this slot's connection and not answered yet. */
  inFlight: number;
}

/** A client's socket (pg's Client keeps it as `connection.stream`; its types do not say so). */
interface Socket {
  cork(): void;
  uncork(): void;
  ref(): void;
  unref(): void;
}

function socketOf(client: pg.Client): Socket {
  return (client as unknown as { connection: { stream: Socket } }).connection.stream;
}

/** Sockets corked in this turn of the event loop (nested corks count: pg's own per-query cork is inside ours). */
const corked = new Set<Socket>();

function uncorkAll() {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

function corkForThisTurn(client: pg.Client) {
  const socket = socketOf(client);
  if (corked.has(socket)) return;
  if (corked.size === 0) setImmediate(uncorkAll);
  socket.cork();
  corked.add(socket);
}
