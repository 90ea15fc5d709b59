// Reference peer, not a competitor: W2's list and W4's create written by hand on Fastify + pg, with
// JSON-schema validation, the JWT checked with node:crypto and the user looked up per request, as
// our server does. It shows what the database work itself costs on this machine, so the W2/W4 rows
// of our server (Prisma, tRPC, zod) can be read against a floor and not only against FastAPI.
import { createHmac, timingSafeEqual } from "node:crypto";
import Fastify from "fastify";
import pg from "pg";

const port = Number(process.env.PORT ?? 4106);
const secret = process.env.JWT_SECRET ?? "";
// pg's default pool size (10), as @prisma/adapter-pg uses.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// Every statement by name: prepared once per connection, then only bound and executed, on one generic plan,
// as our server (DATABASE_STATEMENT_CACHE_SIZE) does; asyncpg under the FastAPI peer prepares them too.
pool.on("connect", (client) => client.query("SET plan_cache_mode = force_generic_plan"));
const query = (name, text, values) => pool.query({ name, text, values });

/** The user id of a valid `Bearer` HS256 token (signature, expiry, issuer, type), or null. */
function userIdOf(authorization) {
  const match = /^Bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization ?? "");
  if (!match) return null;
  const [, header, payload, signature] = match;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  if (claims.exp * 1000 < Date.now() || claims.iss !== "trellis" || claims.typ !== "access") return null;
  return Number(claims.sub);
}

async function currentUser(request) {
  const id = userIdOf(request.headers.authorization);
  if (id === null) return null;
  const { rows } = await query("user", 'SELECT id, email, name, role FROM "User" WHERE id = $1', [id]);
  return rows[0] ?? null;
}

const COLUMNS = 'id, title, description, price, "ownerId", "createdAt", "updatedAt"';
// The total as our server reads it: from the counts the database keeps by trigger ("ItemCount").
const TOTAL = 'SELECT COALESCE(sum(n), 0)::int FROM "ItemCount" WHERE scope = 0';
const toItem = (row) => ({ ...row, price: row.price === null ? null : Number(row.price) });
const item = {
  type: "object",
  properties: {
    id: { type: "integer" },
    title: { type: "string" },
    description: { type: ["string", "null"] },
    price: { type: ["number", "null"] },
    ownerId: { type: "integer" },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
  },
};

const app = Fastify({ logger: false });

app.get(
  "/api/v1/items",
  {
    schema: {
      querystring: {
        type: "object",
        properties: {
          skip: { type: "integer", minimum: 0, default: 0 },
          limit: { type: "integer", minimum: 1, maximum: 100, default: 20 },
        },
      },
      response: {
        200: {
          type: "object",
          properties: {
            items: { type: "array", items: item },
            total: { type: "integer" },
            skip: { type: "integer" },
            limit: { type: "integer" },
          },
        },
      },
    },
  },
  async (request, reply) => {
    if (!(await currentUser(request))) return reply.code(401).send({ code: "UNAUTHORIZED" });
    const { skip, limit } = request.query;
    // The page and its total in one statement, as our server reads them; the total is asked for on its
    // own only for an empty page.
    const page = await query(
      "page",
      `SELECT (${TOTAL}) AS total, ${COLUMNS} FROM "Item" ORDER BY "createdAt" DESC, id DESC LIMIT $1 OFFSET $2`,
      [limit, skip],
    );
    const total = page.rows[0]?.total ?? (await query("total", `SELECT (${TOTAL}) AS total`)).rows[0].total;
    // The response schema writes only an item's own fields: each row's `total` stays out of the answer.
    return { items: page.rows.map(toItem), total, skip, limit };
  },
);

app.post(
  "/api/v1/items",
  {
    schema: {
      body: {
        type: "object",
        required: ["title"],
        properties: {
          title: { type: "string", minLength: 1, maxLength: 200 },
          description: { type: ["string", "null"], maxLength: 10000 },
          price: { type: ["number", "null"], minimum: 0, multipleOf: 0.01 },
        },
      },
      response: { 201: item },
    },
  },
  async (request, reply) => {
    const user = await currentUser(request);
    if (!user) return reply.code(401).send({ code: "UNAUTHORIZED" });
    const { title, description = null, price = null } = request.body;
    const { rows } = await query(
      "create",
      `INSERT INTO "Item" (title, description, price, "ownerId", "updatedAt") VALUES ($1, $2, $3, $4, now()) RETURNING ${COLUMNS}`,
      [title, description, price, user.id],
    );
    return reply.code(201).send(toItem(rows[0]));
  },
);

await app.listen({ host: "127.0.0.1", port });
