import { escapeLike } from "../../platform/db/like.js";
import type { SqlArg, SqlStatement } from "../../platform/db/sql-reader.js";
import { itemSelect } from "./schema.js";

export interface ListItemsQuery {
  skip: number;
  limit: number;
  search?: string;
  sortBy: "createdAt" | "title" | "price";
  order: "asc" | "desc";
  ownerId?: number;
}

/** The columns `itemSelect` names, so a list row carries exactly what `items.byId` returns. */
const COLUMNS = Object.keys(itemSelect)
  .map((name) => `"${name}"`)
  .join(", ");

/** Whitelisted sort keys (the input schema's enum) to columns: nothing a client sends is spliced into SQL. */
const SORT_COLUMN = { createdAt: `"createdAt"`, title: `"title"`, price: `"price"` } as const;
const DIRECTION = { asc: "ASC", desc: "DESC" } as const;

/**
 * One page of items, in the order the API documents: the sort key, items without a price last in either
 * direction, then id in the same direction, so pages never repeat or skip items with equal sort keys.
 *
 * Every row also carries, as its first column, how many items the list matches (`total`): an uncorrelated
 * subquery, which PostgreSQL runs once per statement. One statement instead of a page and a count is one
 * connection and one round trip per list request instead of two (BENCHMARKS.md, "The list in one statement,
 * on a generic plan"), and the page and its total come from one snapshot. An empty page carries no total;
 * see itemTotalStatement.
 */
export function itemPageStatement(query: ListItemsQuery): SqlStatement {
  const args: SqlArg[] = [];
  const where = itemFilter(query, args);
  const total = totalOf(query, where, args);
  const direction = DIRECTION[query.order];
  const nulls = query.sortBy === "price" ? " NULLS LAST" : "";
  args.push(query.limit, query.skip);
  return {
    sql:
      `SELECT ${total} AS "total", ${COLUMNS} FROM "Item"${where} ` +
      `ORDER BY ${SORT_COLUMN[query.sortBy]} ${direction}${nulls}, "id" ${direction} ` +
      `LIMIT $${args.length - 1} OFFSET $${args.length}`,
    args,
  };
}

/** How many items the list matches, alone: for a page that came back empty past the first. */
export function itemTotalStatement(query: ListItemsQuery): SqlStatement {
  const args: SqlArg[] = [];
  const where = query.search ? itemFilter(query, args) : "";
  return { sql: `SELECT ${totalOf(query, where, args)} AS "total"`, args };
}

/**
 * The count, as a scalar subquery. All items, or one owner's, come from the running counts the database
 * keeps ("ItemCount": a sum of at most 64 slot rows, where counting the rows grows with the table), with the
 * one argument that adds to `args`; a search counts its matches, through the filter's `where` and arguments.
 */
function totalOf(query: ListItemsQuery, where: string, args: SqlArg[]): string {
  if (query.search) return `(SELECT count(*)::INTEGER FROM "Item"${where})`;
  args.push(query.ownerId ?? 0);
  return `(SELECT COALESCE(sum("n"), 0)::INTEGER FROM "ItemCount" WHERE "scope" = $${args.length})`;
}

/** The list's WHERE clause (or ""), its values appended to `args` as `$n`. */
function itemFilter(query: ListItemsQuery, args: SqlArg[]): string {
  const conditions: string[] = [];
  if (query.ownerId !== undefined) {
    args.push(query.ownerId);
    conditions.push(`"ownerId" = $${args.length}`);
  }
  if (query.search) {
    args.push(`%${escapeLike(query.search)}%`);
    conditions.push(`("title" ILIKE $${args.length} OR "description" ILIKE $${args.length})`);
  }
  return conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
}
