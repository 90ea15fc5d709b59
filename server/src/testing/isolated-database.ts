import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openDatabase } from "../platform/db/index.js";
import { openTestDatabase } from "../platform/db/testing.js";

/**
 * A migrated database no other test file sees. With TEST_DATABASE_URL (a PostgreSQL server URL)
 * a fresh database is created there and dropped on close; otherwise an in-memory PGlite.
 */
export async function openIsolatedDatabase(): Promise<Database> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return openTestDatabase();

  const scratch = await createPostgresDatabase(serverUrl);
  const database = await openDatabase({ url: scratch.url, dataDir: "unused" });
  return {
    ...database,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}

/** The PostgreSQL server tests use when TEST_DATABASE_URL names none. */
const LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * A new, empty database on a PostgreSQL server (a server opening it migrates it); `drop` removes it. The
 * server defaults to TEST_DATABASE_URL, else this machine's.
 */
export async function createPostgresDatabase(
  serverUrl = process.env.TEST_DATABASE_URL ?? LOCAL_POSTGRES,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `trellis_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function adminQuery(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
