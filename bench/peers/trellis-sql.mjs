// Not a peer framework: an ablation of our own server, to show what Prisma's client costs in W2. The
// server as server/dist/main.js builds it (same settings, stack, fast paths, auth, validation and
// serialization), with the two reads of `items.list` — the page (`item.findMany`) and the kept total
// (`$queryRaw`) — sent by pg itself on a pool of the same size instead of through Prisma's client.
// Everything else (the caller look-up behind auth included) still goes through Prisma. The rows come
// back as Prisma would return them (Date, Decimal), so the service, its output schema and the writer
// do the same work as in the "trellis" row. It swaps `deps.db` through createServer({ deps }), the
// seam tests use, and changes nothing in the app.
import { importBuilt, importServerPackage } from "../lib/server-modules.mjs";

const [
  { createServer },
  { loadEnv },
  { openDatabase },
  { Prisma },
  { prepareRuntime },
  { itemSelect },
  { default: pg },
] = await Promise.all([
  importBuilt("app.js"),
  importBuilt("env.js"),
  importBuilt("platform/db/index.js"),
  importBuilt("generated/prisma/client.js"),
  importBuilt("platform/runtime.js"),
  importBuilt("modules/items/schema.js"),
  importServerPackage("pg"),
]);

const env = loadEnv();
await prepareRuntime(env);
if (!env.DATABASE_URL) throw new Error("trellis-sql needs DATABASE_URL (a PostgreSQL server)");

const database = await openDatabase({
  url: env.DATABASE_URL,
  poolSize: env.DATABASE_POOL_SIZE,
  statementCacheSize: env.DATABASE_STATEMENT_CACHE_SIZE,
  dataDir: "",
  migrate: false,
});
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: env.DATABASE_POOL_SIZE });
// Named statements: prepared once per connection, as the server's statement cache does for Prisma.
const query = (name, text, values) => pool.query({ name, text, values });

// The service's own select (its fields are the table's columns), so the page has what Prisma's would.
const COLUMNS = Object.keys(itemSelect)
  .map((field) => `"${field}"`)
  .join(", ");
const DIRECTIONS = new Set(["asc", "desc"]);

/**
 * The all-items page (no owner, no search) by pg, ordered by creation as W2's list is; a list of one owner's
 * or a search goes to Prisma. Any other order of the all-items page throws rather than quietly going to
 * Prisma: if items.list changes how it calls findMany, this row must fail, not measure Prisma again.
 * Rows as Prisma returns them: NUMERIC as a Decimal (pg hands it over as text), timestamps as Dates.
 */
function findMany(args) {
  if (args.where?.ownerId !== undefined || args.where?.OR) return database.prisma.item.findMany(args);
  const [first, tieBreak] = Array.isArray(args.orderBy) ? args.orderBy : [];
  const direction = first?.createdAt;
  if (!DIRECTIONS.has(direction) || tieBreak?.id !== direction || args.select !== itemSelect) {
    throw new Error(
      `trellis-sql: items.list no longer calls findMany as this ablation expects: ${JSON.stringify(args)}`,
    );
  }
  const order = direction === "desc" ? "DESC" : "ASC";
  return query(
    `page-${order}`,
    `SELECT ${COLUMNS} FROM "Item" ORDER BY "createdAt" ${order}, "id" ${order} LIMIT $1 OFFSET $2`,
    [args.take, args.skip],
  ).then(({ rows }) =>
    rows.map((row) => ({ ...row, price: row.price === null ? null : new Prisma.Decimal(row.price) })),
  );
}

/** The kept total's `$queryRaw` by pg (`${value}`s become $1, $2… as Prisma sends them); any other to Prisma. */
function queryRaw(strings, ...values) {
  if (!strings[0].includes('FROM "ItemCount"')) return database.prisma.$queryRaw(strings, ...values);
  const text = strings.reduce((sql, part, index) => `${sql}$${index}${part}`);
  return query("item-count", text, values).then(({ rows }) => rows);
}

/** A client's own methods, bound to it: Prisma's use private state a proxy as `this` would not reach. */
const own = (target, key) => {
  const value = Reflect.get(target, key);
  return typeof value === "function" ? value.bind(target) : value;
};
const item = new Proxy(database.prisma.item, {
  get: (target, key) => (key === "findMany" ? findMany : own(target, key)),
});
const db = new Proxy(database.prisma, {
  get: (target, key) => {
    if (key === "item") return item;
    if (key === "$queryRaw") return queryRaw;
    return own(target, key);
  },
});

const server = await createServer({ env, deps: { db } });
await server.start();
const stop = () =>
  server
    .stop()
    .then(() => Promise.all([pool.end(), database.close()]))
    .then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
