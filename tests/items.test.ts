import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seenBodies, signUp, startServer, type TestServer } from "./support/server.js";

let api: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  api = await startServer({ MAX_BATCH_SIZE: "10" });
  owner = await signUp(api);
});
afterAll(() => api?.stop());

describe("items over REST", () => {
  it("create 201, read 200, update 200, delete 204, then 404", async () => {
    const token = owner.tokens.accessToken;
    const created = await api.rest("POST", "/v1/items", { token, body: { title: "Lamp", price: 19.99 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: "Lamp", price: 19.99, description: null, ownerId: owner.user.id });
    const id = created.body.id;
    expect((await api.rest("GET", `/v1/items/${id}`, { token })).body.title).toBe("Lamp");
    const patched = await api.rest("PATCH", `/v1/items/${id}`, { token, body: { description: "Brass" } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: "Lamp", description: "Brass" });
    expect((await api.rest("DELETE", `/v1/items/${id}`, { token })).status).toBe(204);
    const gone = await api.rest("GET", `/v1/items/${id}`, { token });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: "NOT_FOUND", message: `Item ${id} not found` });
  });

  it("another user's item: 403 on change, readable", async () => {
    const item = await api.rest("POST", "/v1/items", { token: owner.tokens.accessToken, body: { title: "Private" } });
    const stranger = await signUp(api);
    const token = stranger.tokens.accessToken;
    expect((await api.rest("GET", `/v1/items/${item.body.id}`, { token })).status).toBe(200);
    const patch = await api.rest("PATCH", `/v1/items/${item.body.id}`, { token, body: { title: "Mine now" } });
    expect(patch.status).toBe(403);
    expect(patch.body.code).toBe("FORBIDDEN");
    expect((await api.rest("DELETE", `/v1/items/${item.body.id}`, { token })).status).toBe(403);
  });

  it("list: query strings are coerced and validated", async () => {
    const token = owner.tokens.accessToken;
    for (const title of ["Alpha", "Beta", "Gamma"]) {
      await api.rest("POST", "/v1/items", { token, body: { title, description: "list-test" } });
    }
    const page = await api.rest("GET", `/v1/items?search=LIST-TEST&sortBy=title&order=asc&limit=2&skip=0`, { token });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 3, skip: 0, limit: 2 });
    expect(page.body.items.map((i: { title: string }) => i.title)).toEqual(["Alpha", "Beta"]);

    const tooMany = await api.rest("GET", "/v1/items?limit=101", { token });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.issues[0].path).toEqual(["limit"]);
    expect((await api.rest("GET", "/v1/items?sortBy=passwordHash", { token })).status).toBe(400);
    expect((await api.rest("GET", "/v1/items?limit=abc", { token })).status).toBe(400);
    expect((await api.rest("GET", "/v1/items/not-a-number", { token })).status).toBe(400);
  });

  it("body errors: bad JSON 400, wrong type 415, too large 413 — all in the documented body", async () => {
    const token = owner.tokens.accessToken;
    const badJson = await api.rest("POST", "/v1/items", { token, body: "{not json" });
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe("PARSE_ERROR");
    const form = await api.rest("POST", "/v1/items", {
      token,
      body: "title=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(form.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const huge = await api.rest("POST", "/v1/items", {
      token,
      body: { title: "x", description: "y".repeat(2_000_000) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("items over tRPC", () => {
  it("batched calls share one HTTP request; dates arrive as Dates", async () => {
    let requests = 0;
    const client = api.client(owner.tokens.accessToken);
    const counting = (await import("@trellis/client")).createClient({
      url: api.url,
      token: owner.tokens.accessToken,
      fetch: async (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const created = await client.items.create.mutate({ title: "Batched" });
    const [a, b, c] = await Promise.all([
      counting.items.byId.query({ id: created.id }),
      counting.items.list.query({ limit: 1 }),
      counting.users.me.query(),
    ]);
    expect(requests).toBe(1);
    expect(a.createdAt).toBeInstanceOf(Date);
    expect(b.items).toHaveLength(1);
    expect(c.id).toBe(owner.user.id);
  });

  it("a batch over the server's limit is refused, not run", async () => {
    const calls = Array.from({ length: 11 }, () => "items.list").join(",");
    const input = encodeURIComponent(JSON.stringify({}));
    const response = await fetch(`${api.url}/trpc/${calls}?batch=1&input=${input}`, {
      headers: { authorization: `Bearer ${owner.tokens.accessToken}` },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Batch call exceeds maximum size");
  });

  it("no password hash in any response", () => {
    for (const body of seenBodies) expect(body).not.toMatch(/passwordHash|\$argon2/);
  });
});
