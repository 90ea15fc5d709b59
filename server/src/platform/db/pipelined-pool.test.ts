import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createPostgresDatabase } from "../../testing/isolated-database.js";
import { openDatabase } from "./index.js";
import { PipelinedPool } from "./pipelined-pool.js";

// Always on the PostgreSQL server: PGlite has one in-process connection and nothing to pipeline.
let scratch: Awaited<ReturnType<typeof createPostgresDatabase>>;
const pools: PipelinedPool[] = [];
beforeAll(async () => {
  scratch = await createPostgresDatabase();
});
afterAll(async () => {
  for (const pool of pools) await pool.end();
  await scratch?.drop();
});

function openPool(connections: number) {
  const transactions = new pg.Pool({ connectionString: scratch.url, max: 2 });
  const pool = new PipelinedPool(transactions, connections);
  pools.push(pool);
  return pool;
}

type Row = Record<string, unknown>;
const rowsOf = (pool: PipelinedPool, text: string, values: unknown[] = []): Promise<Row[]> =>
  pool.query({ text, values }).then((result: { rows: Row[] }) => result.rows);

describe("the pipelined pool", () => {
  it("answers each of many concurrent queries with its own rows, on at most its connections", async () => {
    const pool = openPool(2);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        rowsOf(pool, "SELECT $1::int AS n, pg_backend_pid() AS backend", [i]).then(([row]) => row!),
      ),
    );
    expect(answers.map((row) => row.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(new Set(answers.map((row) => row.backend)).size).toBe(2);
  });

  it("sends the queries issued in one turn of the event loop in one write", async () => {
    const pool = openPool(1);
    await rowsOf(pool, "SELECT 1"); // connected, so that only the queries below write
    const writev = vi.spyOn(net.Socket.prototype, "_writev");
    const write = vi.spyOn(net.Socket.prototype, "_write");
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => rowsOf(pool, "SELECT $1::int AS n", [i])));
      expect(answers.flat().map((row) => row.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(writev.mock.calls.length + write.mock.calls.length).toBe(1);
    } finally {
      writev.mockRestore();
      write.mockRestore();
    }
  });

  it("fails a query that fails alone, and answers the ones written with it", async () => {
    const pool = openPool(1);
    const [before, failed, after] = await Promise.allSettled([
      rowsOf(pool, "SELECT 1 / $1::int AS n", [1]),
      rowsOf(pool, "SELECT 1 / $1::int AS n", [0]),
      rowsOf(pool, "SELECT 2 / $1::int AS n", [1]),
    ]);
    expect(before).toEqual({ status: "fulfilled", value: [{ n: 1 }] });
    expect(failed.status === "rejected" && String(failed.reason)).toMatch(/division by zero/);
    expect(after).toEqual({ status: "fulfilled", value: [{ n: 2 }] });
  });

  it("opens a new connection when its connection is lost", async () => {
    const pool = openPool(1);
    const [{ backend }] = (await rowsOf(pool, "SELECT pg_backend_pid() AS backend")) as [{ backend: number }];
    const admin = openPool(1);
    await rowsOf(admin, "SELECT pg_terminate_backend($1::int)", [backend]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [row] = await rowsOf(pool, "SELECT pg_backend_pid() AS backend");
    expect(row!.backend).not.toBe(backend);
  });

  it("holds the process open only while a query is in flight", async () => {
    const pool = openPool(1);
    const sockets = () => process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length;
    await rowsOf(pool, "SELECT 1");
    const idle = sockets();
    const sleeping = rowsOf(pool, "SELECT pg_sleep(0.2)");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sockets()).toBe(idle + 1);
    await sleeping;
    expect(sockets()).toBe(idle);
  });

  it("gives a transaction a connection of its own from the pool", async () => {
    const pool = openPool(1);
    const [{ backend: pipelined }] = (await rowsOf(pool, "SELECT pg_backend_pid() AS backend")) as [
      { backend: number },
    ];
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query("SELECT pg_backend_pid() AS backend, txid_current() AS tx");
      const { rows: again } = await client.query("SELECT txid_current() AS tx");
      await client.query("COMMIT");
      expect(rows[0].backend).not.toBe(pipelined);
      expect(again[0].tx).toBe(rows[0].tx);
    } finally {
      client.release();
    }
  });
});

describe("the pipelined pool's errors", () => {
  it("passes on the loss of an idle pooled connection instead of ending the process", async () => {
    const transactions = new pg.Pool({ connectionString: scratch.url, max: 1 });
    const pool = new PipelinedPool(transactions, 1);
    pools.push(pool);
    const errors: Error[] = [];
    pool.on("error", (error) => errors.push(error));
    const client = await pool.connect();
    const {
      rows: [{ backend }],
    } = await client.query("SELECT pg_backend_pid() AS backend");
    client.release();
    await rowsOf(pool, "SELECT pg_terminate_backend($1::int)", [backend]);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(String(errors[0])).toMatch(/terminat/);
  });

  it("takes values beside a query's text, and refuses a callback", async () => {
    const pool = openPool(1);
    expect(await rowsOf(pool, "SELECT $1::int AS n", [7])).toEqual([{ n: 7 }]);
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    expect(() => query("SELECT 1", [], () => {})).toThrow(/no callback/);
  });
});

describe("a database on a PostgreSQL server", () => {
  it("runs Prisma's queries and the SQL reader's on the pipelined connections, and on the pool with none", async () => {
    const backendsOf = async (pipelinedConnections?: number) => {
      const database = await openDatabase({ url: scratch.url, dataDir: "unused", poolSize: 3, pipelinedConnections });
      try {
        const sleep = `SELECT pg_backend_pid() AS "backend", pg_sleep(0.05) IS NULL AS "slept"`;
        const rows = (
          await Promise.all([
            ...Array.from({ length: 3 }, () => database.sql.rows<{ backend: number }>({ sql: sleep, args: [] })),
            ...Array.from({ length: 3 }, () => database.prisma.$queryRawUnsafe<{ backend: number }[]>(sleep)),
          ])
        ).flat();
        return new Set(rows.map((row) => row.backend)).size;
      } finally {
        await database.close();
      }
    };
    expect(await backendsOf()).toBe(2);
    expect(await backendsOf(0)).toBe(3);
  });

  it("runs a Prisma transaction on a connection of its own, and commits it", async () => {
    const database = await openDatabase({ url: scratch.url, dataDir: "unused" });
    try {
      const email = `pipelined-${Date.now()}@example.test`;
      const backends = await database.prisma.$transaction(async (tx) => {
        const backendOf = async () =>
          (await tx.$queryRawUnsafe<[{ backend: number }]>(`SELECT pg_backend_pid() AS "backend"`))[0].backend;
        const first = await backendOf();
        await tx.user.create({ data: { email, name: "Pipelined", passwordHash: "not-a-real-hash" } });
        return [first, await backendOf()];
      });
      expect(backends[0]).toBe(backends[1]);
      expect(await database.prisma.user.count({ where: { email } })).toBe(1);
    } finally {
      await database.close();
    }
  });
});
