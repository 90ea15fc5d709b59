import type { SqlQuery } from "@prisma/driver-adapter-utils";

export const DEFAULT_STATEMENT_CACHE_SIZE = 100;

/**
 * Names for the SQL statements Prisma sends to a PostgreSQL server, so that `pg` prepares each one
 * once per connection and then only binds and executes it: the server no longer parses and plans the
 * same text on every call. On W2 (a list request: one `findMany` and one count) PostgreSQL's CPU per
 * request fell from ~125 µs to ~75 µs (BENCHMARKS.md).
 *
 * The first `limit` distinct statements an instance sends get a name; later ones get "", the
 * protocol's unnamed statement, parsed on every call as before. A name is never reused for another
 * text (`pg` refuses that), and nothing is prepared beyond the limit, so a connection holds at most
 * `limit` prepared statements on the server whatever SQL the app produces. Prisma's classic engine kept a `statement_cache_size` (100) per connection; its pg
 * adapter leaves naming to the application. Returns undefined for `limit` 0: nothing is prepared,
 * as PgBouncer in transaction mode before 1.21 requires.
 */
export function statementNames(limit: number): ((query: SqlQuery) => string) | undefined {
  if (limit === 0) return undefined;
  const names = new Map<string, string>();
  return ({ sql }) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= limit) return "";
    const name = `trellis_${names.size}`;
    names.set(sql, name);
    return name;
  };
}
