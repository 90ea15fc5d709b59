// Seeds the W2 data set straight into the Prisma tables ("User", "Item") of a migrated database:
// one bench user owning N items. Plain SQL through `pg`, so it needs neither the Prisma client
// nor our server's code, and 10,000 rows go in with one INSERT ... SELECT.
//
// CLI:  DATABASE_URL=postgresql://... node bench/lib/seed-items.mjs [count]
import { pathToFileURL } from "node:url";
import pg from "pg";

export const BENCH_EMAIL = "bench-w2@example.test";

/**
 * Makes sure the bench user exists and owns exactly `count` items (its old items are replaced),
 * with distinct createdAt values so "newest first" is a real ordering. Returns the user's id,
 * which the harness puts into the JWT `sub` it sends.
 * The password hash is a placeholder unless BENCH_PASSWORD_HASH is given: the harness signs its
 * own tokens, so nobody needs to log in as this user.
 */
export async function seedItems({ databaseUrl, count = 10_000, email = BENCH_EMAIL }) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query(
      `INSERT INTO "User" (email, name, "passwordHash", "updatedAt")
       VALUES ($1, 'Bench user', $2, now())
       ON CONFLICT (email) DO UPDATE SET "updatedAt" = now()
       RETURNING id`,
      [email, process.env.BENCH_PASSWORD_HASH ?? "!bench-no-login"],
    );
    const userId = rows[0].id;
    await client.query(`DELETE FROM "Item" WHERE "ownerId" = $1`, [userId]);
    await client.query(
      `INSERT INTO "Item" (title, description, price, "ownerId", "createdAt", "updatedAt")
       SELECT 'Item ' || i,
              CASE WHEN i % 3 = 0 THEN NULL ELSE 'Description of item ' || i END,
              (i % 10000) / 100.0,
              $1,
              now() - i * interval '1 second',
              now() - i * interval '1 second'
       FROM generate_series(1, $2::int) AS i`,
      [userId, count],
    );
    await client.query("COMMIT");
    // Outside the transaction: VACUUM clears the rows a re-seed deleted (and sets the visibility map,
    // so the count can be an index-only scan, as on a settled database); ANALYZE gives the planner
    // fresh statistics from the first request on.
    await client.query(`VACUUM ANALYZE "Item"`);
    return { userId, count };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("seed-items: set DATABASE_URL to a migrated database");
    process.exit(1);
  }
  const count = Number(process.argv[2] ?? 10_000);
  console.log(JSON.stringify(await seedItems({ databaseUrl, count })));
}
