import { type ArgType, ColumnTypeEnum, type SqlQueryable, type SqlResultSet } from "@prisma/driver-adapter-utils";
import { dateFromText } from "./timestamp-text.js";

/** A value a query may bind: numbers bind as integers when they are whole, as doubles otherwise. */
export type SqlArg = string | number | boolean | null;

/** A parameterized statement: `$1`, `$2`, … in `sql` bind `args` in order. */
export interface SqlStatement {
  sql: string;
  args: SqlArg[];
}

/**
 * Parameterized SELECTs that skip Prisma's client and go straight to the driver adapter under it: the same
 * adapter type, pool and prepared-statement names the client uses, on PGlite and on a PostgreSQL server.
 *
 * For the few reads every list request makes. Through the client, W2's page of 20 items cost ~340 µs of CPU
 * and kept ~30 suspended async functions per request waiting for a connection (promoted by every young
 * collection); through the adapter ~80 µs and a handful (BENCHMARKS.md, "Prisma's share of W2" and "List reads
 * through the driver adapter"). Everything else, and every write, goes through Prisma's client.
 */
export interface SqlReader {
  /**
   * Rows as objects keyed by column name. Values come back as the wire wants them: timestamps as `Date`,
   * NUMERIC as a `number` (our NUMERIC(12,2) prices fit a double), BIGINT as a `number` when it is a safe
   * integer (else an error), everything else as the adapter gives it. `T` is the caller's promise about the
   * columns, as with `$queryRaw<T>`.
   */
  rows<T>(statement: SqlStatement): Promise<T[]>;
  /**
   * A page of rows whose first column, on every row, is how many rows the whole list has (an integer named
   * `total`, from a subquery): the rows as `rows` makes them from the other columns, and the total, which
   * is undefined when the page is empty.
   */
  page<T>(statement: SqlStatement): Promise<{ rows: T[]; total: number | undefined }>;
}

export function sqlReader(adapter: SqlQueryable): SqlReader {
  const run = ({ sql, args }: SqlStatement) => adapter.queryRaw({ sql, args, argTypes: args.map(argTypeOf) });
  return {
    async rows<T>(statement: SqlStatement) {
      return toObjects(await run(statement)) as T[];
    },
    async page<T>(statement: SqlStatement) {
      const result = await run(statement);
      if (result.columnNames[0] !== "total") throw new Error('sql.page: the first column must be "total"');
      const total = result.rows[0]?.[0];
      return { rows: toObjects(result, 1) as T[], total: total === undefined ? undefined : Number(total) };
    },
  };
}

const SCALAR = "scalar" as const;
const INT: ArgType = { scalarType: "int", arity: SCALAR };
const FLOAT: ArgType = { scalarType: "float", arity: SCALAR };
const STRING: ArgType = { scalarType: "string", arity: SCALAR };
const BOOLEAN: ArgType = { scalarType: "boolean", arity: SCALAR };
const UNKNOWN: ArgType = { scalarType: "unknown", arity: SCALAR };

function argTypeOf(arg: SqlArg): ArgType {
  if (typeof arg === "number") return Number.isInteger(arg) ? INT : FLOAT;
  if (typeof arg === "string") return STRING;
  if (typeof arg === "boolean") return BOOLEAN;
  return UNKNOWN;
}

type Decoder = (value: unknown) => unknown;

/** Each row as an object of its columns from index `first` on. */
function toObjects({ columnNames, columnTypes, rows }: SqlResultSet, first = 0): Record<string, unknown>[] {
  const columns: { name: string; index: number; decode: Decoder }[] = [];
  for (let index = first; index < columnNames.length; index++) {
    columns.push({ name: columnNames[index]!, index, decode: decoderOf(columnTypes[index]) });
  }
  return rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (const { name, index, decode } of columns) {
      const value = row[index];
      object[name] = value === null ? null : decode(value);
    }
    return object;
  });
}

const asIs: Decoder = (value) => value;

/** The adapters hand timestamps and NUMERIC over as text (`2026-12-07T01:02:03.456+00:00`, `12.50`). */
function decoderOf(type: number | undefined): Decoder {
  switch (type) {
    case ColumnTypeEnum.DateTime:
      return (value) => (typeof value === "string" ? dateFromText(value) : new Date(value as number));
    case ColumnTypeEnum.Numeric:
      return (value) => Number(value);
    case ColumnTypeEnum.Int64:
      return (value) => {
        const number = Number(value);
        if (!Number.isSafeInteger(number)) throw new RangeError(`BIGINT ${String(value)} does not fit a number`);
        return number;
      };
    default:
      return asIs;
  }
}
