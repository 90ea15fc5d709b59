// items.list reads its `total` from counts the database keeps by trigger ("ItemCount"), not by counting
// rows. Whatever writes the items — the API, a cascade from a deleted user, plain SQL, many writers at
// once — the total must stay the number of items a client could page through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startServer, type TestServer } from "./support/server.js";

let api: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  api = await startServer();
  admin = await signUp(api);
  await api.server.deps.db.user.update({ where: { id: admin.user.id }, data: { role: "admin" } });
});
afterAll(() => api?.stop());

/** The list's total, and the number of items paging through the whole list actually yields. */
async function totals(query = "") {
  const token = admin.tokens.accessToken;
  const first = await api.rest("GET", `/v1/items?limit=100${query}`, { token });
  expect(first.status).toBe(200);
  let seen = first.body.items.length;
  for (let skip = 100; skip < first.body.total; skip += 100) {
    seen += (await api.rest("GET", `/v1/items?limit=100&skip=${skip}${query}`, { token })).body.items.length;
  }
  return { total: first.body.total as number, seen };
}

async function create(token: string, title: string) {
  const created = await api.rest("POST", "/v1/items", { token, body: { title } });
  expect(created.status).toBe(201);
  return created.body.id as number;
}

describe("items.list total", () => {
  it("follows creates and deletes, for all items and per owner", async () => {
    const alice = await signUp(api);
    const bob = await signUp(api);
    const before = (await totals()).total;
    const aliceIds = [];
    for (const title of ["a1", "a2", "a3"]) aliceIds.push(await create(alice.tokens.accessToken, title));
    await create(bob.tokens.accessToken, "b1");
    expect(await totals()).toEqual({ total: before + 4, seen: before + 4 });
    expect(await totals(`&ownerId=${alice.user.id}`)).toEqual({ total: 3, seen: 3 });

    const deleted = await api.rest("DELETE", `/v1/items/${aliceIds[0]}`, { token: alice.tokens.accessToken });
    expect(deleted.status).toBe(204);
    // A title change is not a new item.
    await api.rest("PATCH", `/v1/items/${aliceIds[1]}`, { token: alice.tokens.accessToken, body: { title: "a2!" } });
    expect(await totals()).toEqual({ total: before + 3, seen: before + 3 });
    expect(await totals(`&ownerId=${alice.user.id}`)).toEqual({ total: 2, seen: 2 });
    expect(await totals(`&ownerId=${bob.user.id}`)).toEqual({ total: 1, seen: 1 });
  });

  it("drops a deleted user's items, which go with the user", async () => {
    const leaver = await signUp(api);
    for (const title of ["l1", "l2"]) await create(leaver.tokens.accessToken, title);
    const before = (await totals()).total;
    const removed = await api.rest("DELETE", `/v1/users/${leaver.user.id}`, { token: admin.tokens.accessToken });
    expect(removed.status).toBe(204);
    expect(await totals()).toEqual({ total: before - 2, seen: before - 2 });
    expect(await totals(`&ownerId=${leaver.user.id}`)).toEqual({ total: 0, seen: 0 });
    // Nothing of the user stays behind in the counts.
    expect(await api.server.deps.db.itemCount.count({ where: { scope: leaver.user.id } })).toBe(0);
  });

  it("follows items written by plain SQL, in bulk, as a data import would", async () => {
    const importer = await signUp(api);
    const db = api.server.deps.db;
    const before = (await totals()).total;
    await db.$executeRaw`INSERT INTO "Item" (title, "ownerId", "updatedAt")
      SELECT 'imported ' || i, ${importer.user.id}, now() FROM generate_series(1, 250) AS i`;
    expect(await totals()).toEqual({ total: before + 250, seen: before + 250 });
    await db.$executeRaw`DELETE FROM "Item" WHERE "ownerId" = ${importer.user.id} AND title LIKE 'imported 1%'`;
    // imported 1, 10..19, 100..199: 111 rows gone.
    expect(await totals(`&ownerId=${importer.user.id}`)).toEqual({ total: 139, seen: 139 });
    expect(await totals()).toEqual({ total: before + 139, seen: before + 139 });

    // Handing 62 of them to another owner moves them between the owners' totals, not out of the list.
    const heir = await signUp(api);
    await db.$executeRaw`UPDATE "Item" SET "ownerId" = ${heir.user.id}
      WHERE "ownerId" = ${importer.user.id} AND title LIKE 'imported 2%'`;
    // imported 2, 20..29, 200..250: 62 rows.
    expect(await totals(`&ownerId=${heir.user.id}`)).toEqual({ total: 62, seen: 62 });
    expect(await totals(`&ownerId=${importer.user.id}`)).toEqual({ total: 77, seen: 77 });
    expect(await totals()).toEqual({ total: before + 139, seen: before + 139 });
  });

  it("stays exact under concurrent writers", async () => {
    const busy = await signUp(api);
    const before = (await totals()).total;
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => create(busy.tokens.accessToken, `c${i}`)));
    const token = busy.tokens.accessToken;
    const halves = await Promise.all(
      ids.slice(0, 20).map((id) => api.rest("DELETE", `/v1/items/${id}`, { token }).then((r) => r.status)),
    );
    expect(halves.every((status) => status === 204)).toBe(true);
    expect(await totals(`&ownerId=${busy.user.id}`)).toEqual({ total: 20, seen: 20 });
    expect(await totals()).toEqual({ total: before + 20, seen: before + 20 });
  });

  it("a search still counts its own matches", async () => {
    const token = admin.tokens.accessToken;
    for (const title of ["needle one", "needle two", "hay"]) await create(token, title);
    const found = await api.rest("GET", "/v1/items?search=NEEDLE", { token });
    expect(found.body.total).toBe(2);
  });
});
