import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "../../generated/prisma/client.js";
import { createHarness, type Harness } from "../../testing/harness.js";
import type { ListItemsQuery } from "./list-query.js";
import { itemSelect } from "./schema.js";
import { listItems } from "./service.js";

// The list is hand-written SQL (list-query.ts); these tests hold it to what Prisma's findMany and count
// answer for the same query, on data made to catch the edge cases: equal sort keys, missing prices and
// descriptions, two owners, mixed case.
let h: Harness;
const owners: number[] = [];
beforeAll(async () => {
  h = await createHarness();
  for (const name of ["Ann", "Bob"]) owners.push((await h.signUp({ name })).user.id);
  const sameMoment = new Date("2026-01-02T03:04:05.678Z");
  const words = ["Berry jam", "blueberry Pie", "Apple", "apple crumble", "Cherry", "BERRY tart", "Plum"];
  await h.deps.db.item.createMany({
    data: Array.from({ length: 40 }, (_, i) => ({
      ownerId: owners[i % 2] as number,
      title: words[i % words.length] as string,
      description: i % 3 === 0 ? null : `${words[(i + 3) % words.length]} no. ${i}`,
      price: i % 4 === 0 ? null : (i % 5) * 2.5,
      createdAt: i % 3 === 0 ? sameMoment : new Date(sameMoment.getTime() + i * 1000),
    })),
  });
});
afterAll(() => h.close());

/** The query as Prisma's client would run it: the reference the SQL is held to. */
async function throughPrisma(query: ListItemsQuery) {
  const where: Prisma.ItemWhereInput = { ownerId: query.ownerId };
  if (query.search) {
    where.OR = [
      { title: { contains: query.search, mode: "insensitive" } },
      { description: { contains: query.search, mode: "insensitive" } },
    ];
  }
  const key =
    query.sortBy === "price"
      ? { price: { sort: query.order, nulls: "last" as const } }
      : { [query.sortBy]: query.order };
  const rows = await h.deps.db.item.findMany({
    where,
    select: itemSelect,
    orderBy: [key, { id: query.order }],
    skip: query.skip,
    take: query.limit,
  });
  const items = rows.map((row) => ({ ...row, price: row.price === null ? null : row.price.toNumber() }));
  return { items, total: await h.deps.db.item.count({ where }), skip: query.skip, limit: query.limit };
}

describe("the item list's SQL", () => {
  it("answers every sort, order, search, owner and page as Prisma's findMany and count do", async () => {
    let compared = 0;
    for (const sortBy of ["createdAt", "title", "price"] as const)
      for (const order of ["asc", "desc"] as const)
        for (const search of [undefined, "berry", "APPLE", "no such item"])
          for (const ownerId of [undefined, ...owners])
            for (const [skip, limit] of [
              [0, 7],
              [5, 7],
              [18, 100],
              [60, 5], // past the end: the page carries no total, which is counted on its own
            ] as const) {
              const query = { sortBy, order, search, ownerId, skip, limit };
              expect(await listItems(h.deps, query), JSON.stringify(query)).toEqual(await throughPrisma(query));
              compared++;
            }
    expect(compared).toBe(288);
  });

  it("returns Dates and numbers, and the fields byId returns", async () => {
    const { items } = await listItems(h.deps, { sortBy: "price", order: "desc", skip: 0, limit: 1 });
    const [item] = items;
    expect(Object.keys(item ?? {}).sort()).toEqual(Object.keys(itemSelect).sort());
    expect(item?.createdAt).toBeInstanceOf(Date);
    expect(item?.price).toBe(10);
  });

  it("counts an empty page's total, past the last item", async () => {
    const page = await listItems(h.deps, { sortBy: "createdAt", order: "desc", skip: 1000, limit: 5, search: "berry" });
    expect(page.items).toEqual([]);
    expect(page.total).toBeGreaterThan(0);
  });
});
