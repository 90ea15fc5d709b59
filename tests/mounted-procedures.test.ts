import { appRouter, mergeRouters, publicProcedure, router } from "@trellis/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startServer, type TestServer } from "./support/server.js";

// A procedure of the test's own, mounted next to the app's through `createServer({ router })`:
// what bench/peers/trellis-echo.mjs does to measure W4's validated echo through our whole stack.
const Note = z.object({ title: z.string().min(1).max(200), tags: z.array(z.string()).max(3) });
const extra = router({
  notes: router({
    echo: publicProcedure
      .meta({ openapi: { method: "POST", path: "/notes/echo", tags: ["notes"], summary: "Echo a note" } })
      .input(Note)
      .output(Note)
      .mutation(({ input }) => input),
  }),
});

let api: TestServer;
beforeAll(async () => {
  api = await startServer({}, {}, { router: mergeRouters(appRouter, extra) });
});
afterAll(() => api?.stop());

const note = { title: "Mounted", tags: ["a", "b"] };

describe("procedures mounted next to the app router", () => {
  it("answer over REST, validated, in the documented error body", async () => {
    expect(await api.rest("POST", "/notes/echo", { body: note })).toMatchObject({ status: 200, body: note });
    const invalid = await api.rest("POST", "/notes/echo", { body: { title: "", tags: [] } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ code: "BAD_REQUEST", requestId: invalid.headers.get("x-request-id") });
  });

  it("answer over tRPC", async () => {
    const response = await fetch(`${api.url}/trpc/notes.echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: note }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: { data: { json: note } } });
  });

  it("appear in the OpenAPI document, and the app's own procedures still answer", async () => {
    const document = await api.rest("GET", "/openapi.json");
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(["/notes/echo", "/v1/items"]));
    expect(await api.rest("GET", "/health")).toMatchObject({ status: 200, body: { status: "ok" } });
  });
});
