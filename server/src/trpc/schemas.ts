import { z } from "zod";

/**
 * A string PostgreSQL can store: text columns reject NUL characters, which would otherwise
 * surface as a 500 from deep inside the driver instead of a 400 naming the field.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the NUL control character is the point
export const text = () => z.string().regex(/^[^\u0000]*$/, "must not contain NUL characters");

/** A date: a `Date` for tRPC clients (superjson), an ISO-8601 string over REST. */
export const dateTime = z.date().meta({ override: { type: "string", format: "date-time" } });

/** Upper bound of every page; a larger `limit` is a 400, not a silent clamp. */
export const MAX_PAGE_SIZE = 100;

/** skip/limit pagination and a case-insensitive search, as every list route takes them. */
export const pageInput = z.object({
  skip: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  search: text()
    .trim()
    .max(200)
    .meta({ description: "Text to find, ignoring case; `%`, `_` and `\\` match themselves (no wildcards)" })
    .optional(),
});

/** `{items,total,skip,limit}` of any item schema. */
export function pageOutput<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    skip: z.number().int(),
    limit: z.number().int(),
  });
}

/** A numeric id in a REST path (`/items/{id}`) or a tRPC input. */
export const idInput = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

/** No body: the output of 204 routes. */
export const noContent = z.void();
