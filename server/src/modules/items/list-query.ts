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
 */
export function itemPageStatement(query: ListItemsQuery): SqlStatement {
  const { where, args } = itemFilter(query);
  const direction = DIRECTION[query.order];
  const nulls = query.sortBy === "price" ? " NULLS LAST" : "";
  args.push(query.limit, query.skip);
  return {
    sql:
      `SELECT ${COLUMNS} FROM "Item"${where} ORDER BY ${SORT_COLUMN[query.sortBy]} ${direction}${nulls}, ` +
      `"id" ${direction} LIMIT $${args.length - 1} OFFSET $${args.length}`,
    args,
  };
}

/**
 * How many items the list matches. All items, or one owner's, come from the running counts the database
 * keeps ("ItemCount": a sum of at most 64 slot rows, where counting the rows grows with the table); a search
 * counts its matches.
 */
export function itemTotalStatement(query: ListItemsQuery): SqlStatement {
  if (!query.search) {
    return {
      sql: `SELECT COALESCE(sum("n"), 0)::INTEGER AS "total" FROM "ItemCount" WHERE "scope" = $1`,
      args: [query.ownerId ?? 0],
    };
  }
  const { where, args } = itemFilter(query);
  return { sql: `SELECT count(*)::INTEGER AS "total" FROM "Item"${where}`, args };
}

function itemFilter(query: ListItemsQuery): { where: string; args: SqlArg[] } {
  const conditions: string[] = [];
  const args: SqlArg[] = [];
  if (query.ownerId !== undefined) {
    args.push(query.ownerId);
    conditions.push(`"ownerId" = $${args.length}`);
  }
  if (query.search) {
    args.push(`%${escapeLike(query.search)}%`);
    conditions.push(`("title" ILIKE $${args.length} OR "description" ILIKE $${args.length})`);
  }
  return { where: conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "", args };
}
