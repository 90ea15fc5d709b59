import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIsolatedDatabase } from "../../testing/isolated-database.js";
import type { Database } from "./index.js";

// On the embedded PGlite, or on the PostgreSQL server when TEST_DATABASE_URL is set: the two adapters
// hand values over differently typed, and the reader must answer the same on both.
let database: Database;
beforeAll(async () => {
  database = await openIsolatedDatabase();
});
afterAll(() => database.close());

describe("sqlReader", () => {
  it("binds whole numbers, fractions, text, booleans and null", async () => {
    const rows = await database.sql.rows({
      sql: `SELECT $1::INTEGER + 1 AS "int", $2::FLOAT8 * 2 AS "float", $3::TEXT || '!' AS "text", NOT $4::BOOLEAN AS "bool",
         $5::INTEGER IS NULL AS "isNull"`,
      args: [41, 1.25, "hi", false, null],
    });
    expect(rows).toEqual([{ int: 42, float: 2.5, text: "hi!", bool: true, isNull: true }]);
  });

  it("returns timestamps as the Dates Prisma returns, NUMERIC and safe BIGINTs as numbers", async () => {
    const [row] = await database.sql.rows<Record<string, unknown>>({
      sql: `SELECT '2026-01-02 03:04:05.678'::TIMESTAMP(3) AS "at", '12.50'::NUMERIC(12,2) AS "price",
         9007199254740991::BIGINT AS "big", NULL::TIMESTAMP(3) AS "never"`,
      args: [],
    });
    expect(row).toEqual({ at: new Date("2026-01-02T03:04:05.678Z"), price: 12.5, big: 2 ** 53 - 1, never: null });
    const [fromPrisma] = await database.prisma.$queryRaw<{ at: Date }[]>`
      SELECT '2026-01-02 03:04:05.678'::TIMESTAMP(3) AS "at"`;
    expect(row?.at).toEqual(fromPrisma?.at);
  });

  it("refuses a BIGINT a number cannot hold, rather than rounding it", async () => {
    await expect(database.sql.rows({ sql: `SELECT 9007199254740993::BIGINT AS "big"`, args: [] })).rejects.toThrow(
      RangeError,
    );
  });

  it("reads a page whose first column is the total: rows without it, the total once", async () => {
    const statement = (from: number) => ({
      sql: `SELECT (SELECT count(*)::INTEGER FROM generate_series(1, 3)) AS "total", n AS "n", n * 2 AS "twice"
         FROM generate_series(1, 3) AS n WHERE n >= $1 ORDER BY n`,
      args: [from],
    });
    expect(await database.sql.page(statement(2))).toEqual({
      rows: [
        { n: 2, twice: 4 },
        { n: 3, twice: 6 },
      ],
      total: 3,
    });
    expect(await database.sql.page(statement(4))).toEqual({ rows: [], total: undefined });
    await expect(database.sql.page({ sql: `SELECT 1 AS "n"`, args: [] })).rejects.toThrow('"total"');
  });

  it("reports SQL errors with PostgreSQL's code", async () => {
    await expect(database.sql.rows({ sql: `SELECT * FROM "NoSuchTable"`, args: [] })).rejects.toMatchObject({
      cause: { originalCode: "42P01" },
    });
  });
});
