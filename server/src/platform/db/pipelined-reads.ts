import pg from "pg";

/** Pipelined connections the SQL reader opens by default (BENCHMARKS.md, "Pipelined list reads"). */
export const DEFAULT_READ_CONNECTIONS = 2;

/**
 * The connections behind the SQL reader's SELECTs (`items.list`), pipelined: a query is written to its
 * connection at once, without waiting for the queries before it to be answered (pg's `pipeline` mode), and
 * all the queries issued in one turn of the event loop leave in one write per connection. The first query of
 * a turn corks the connection's socket; `setImmediate`, which runs once every I/O callback of the turn has,
 * uncorks it.
 *
 * Why: under W2 our process is the bottleneck (a full core), and a third of its time went to `writev`: one
 * system call per query, each paying loopback TCP's whole path, because a pooled connection carries one
 * query at a time and 50 concurrent list requests made 50 writes. Pipelined, the requests that arrive
 * together share one write, and PostgreSQL's answers come back together in fewer reads.
 *
 * A query goes to the connection with the fewest queries in flight, so one slow query (a search through a
 * large table) holds up only the queries behind it on its own connection. Only for reads outside
 * transactions: a pipelined connection is shared by every request in flight, so nothing that holds session
 * state (BEGIN, SET, temporary tables) may run on it; `connect`, which would hand out a connection for a
 * transaction, refuses. It is a `pg.Pool` only because Prisma's adapter accepts nothing else (it tests
 * `instanceof pg.Pool`); the adapter calls `query(config)` and nothing more.
 *
 * A connection that fails fails the queries on it (pg answers each with the error) and is replaced by the
 * next query. Like the main pool's `allowExitOnIdle`, a connection with nothing in flight does not hold
 * the process open.
 */
export class PipelinedReadPool extends pg.Pool {
  readonly #connectionString: string;
  readonly #onConnect: ((client: pg.Client) => Promise<void>) | undefined;
  readonly #slots: Slot[];
  #closed = false;

  constructor(opts: {
    connectionString: string;
    connections: number;
    /** Runs on each new connection, and is awaited, before its first query (e.g. a SET); like pg.Pool's. */
    onConnect?: (client: pg.Client) => Promise<void>;
  }) {
    super({ connectionString: opts.connectionString, max: 1 });
    if (!(opts.connections >= 1)) throw new Error("PipelinedReadPool: at least one connection");
    this.#connectionString = opts.connectionString;
    this.#onConnect = opts.onConnect;
    this.#slots = Array.from({ length: opts.connections }, () => ({ inFlight: 0 }));
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg.Pool's overloads; the adapter only calls query(config).
  override query(config: any): any {
    if (this.#closed) return Promise.reject(new Error("The pipelined read pool is closed"));
    const slot = this.#leastBusy();
    // Counted from now, not from the write: the queries that arrive while a connection opens spread over all.
    if (slot.inFlight++ === 0 && slot.client) socketOf(slot.client).ref();
    const sent = slot.client ? send(slot.client, config) : this.#open(slot).then((client) => send(client, config));
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

  override connect(): never {
    throw new Error("A pipelined read pool runs single queries only: run transactions on the main pool");
  }

  override async end(): Promise<void> {
    this.#closed = true;
    const opening = this.#slots.flatMap((slot) => (slot.opening ? [slot.opening] : []));
    const clients = await Promise.allSettled(opening);
    await Promise.allSettled(clients.flatMap((result) => (result.status === "fulfilled" ? [result.value.end()] : [])));
  }

  #leastBusy(): Slot {
    let best = this.#slots[0]!;
    for (let i = 1; i < this.#slots.length; i++) if (this.#slots[i]!.inFlight < best.inFlight) best = this.#slots[i]!;
    return best;
  }

  #open(slot: Slot): Promise<pg.Client> {
    if (slot.opening) return slot.opening;
    // `pipeline` is pg 8.23's; its types do not list it yet.
    const client = new pg.Client({ connectionString: this.#connectionString, pipeline: true } as pg.ClientConfig);
    const forget = () => {
      if (slot.client === client) slot.client = undefined;
      if (slot.opening === opening) slot.opening = undefined;
    };
    client.on("error", forget);
    client.on("end", forget);
    const opening = client
      .connect()
      .then(() => this.#onConnect?.(client))
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

function send(client: pg.Client, config: unknown): Promise<pg.QueryResult> {
  corkForThisTurn(client);
  return client.query(config as pg.QueryConfig);
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
