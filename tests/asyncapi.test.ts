import { Parser } from "@asyncapi/parser";
import { appRouter } from "@trellis/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRawSubscription } from "./support/live.js";
import { signUp, startServer, type TestServer } from "./support/server.js";

let api: TestServer;
// biome-ignore lint/suspicious/noExplicitAny: the document is checked by the AsyncAPI parser, not by types
let document: any;
beforeAll(async () => {
  api = await startServer();
  document = await (await fetch(`${api.url}/api/asyncapi.json`)).json();
});
afterAll(() => api?.stop());

const subscriptionPaths = Object.entries(appRouter._def.procedures)
  .filter(([, procedure]) => (procedure as unknown as { _def: { type: string } })._def.type === "subscription")
  .map(([path]) => path);

describe("the AsyncAPI document", () => {
  it("is a valid AsyncAPI 3 document", async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    const problems = diagnostics.filter((diagnostic) => diagnostic.severity <= 1);
    expect(problems.map((problem) => `${problem.code}: ${problem.message} at ${problem.path.join(".")}`)).toEqual([]);
    expect(parsed?.version()).toMatch(/^3\./);
    expect(
      parsed
        ?.channels()
        .all()
        .map((channel) => channel.id()),
    ).toEqual(expect.arrayContaining([...subscriptionPaths, "connectionParams"]));
  });

  it("documents every subscription, with its input, its event and how to authenticate", () => {
    expect(subscriptionPaths.sort()).toEqual(["items.onChange", "rooms.onMessage", "rooms.presence"]);
    const { messages, securitySchemes } = document.components;
    expect(messages["rooms.onMessage.input"].payload).toMatchObject({
      type: "object",
      required: ["room"],
      properties: { room: { type: "string", pattern: expect.any(String) }, lastEventId: expect.any(Object) },
    });
    expect(messages["rooms.onMessage.event"].payload.required).toEqual(["id", "room", "text", "author", "createdAt"]);
    expect(messages["rooms.onMessage.event"].payload.properties.createdAt).toEqual({
      type: "string",
      format: "date-time",
    });
    expect(messages["items.onChange.event"].payload.properties.item.required).toContain("ownerId");
    expect(messages.connectionParams.payload.properties.data.required).toEqual(["token"]);
    expect(securitySchemes.connectionParams.description).toContain("connectionParams");
    expect(document.servers.websocket).toMatchObject({
      protocol: "ws",
      host: new URL(api.url).host,
      pathname: "/trpc",
    });
  });

  it("describes what a client following it really receives", async () => {
    const user = await signUp(api);
    const { host, pathname } = document.servers.websocket;
    const frames: { id?: number; result?: { type: string; data?: { json: { data: Record<string, unknown> } } } }[] = [];
    const socket = await openRawSubscription({
      url: `ws://${host}${pathname}`,
      token: user.tokens.accessToken,
      path: "rooms.onMessage",
      input: { room: "doc" },
      watch: (ws) => ws.on("message", (data) => frames.push(JSON.parse(String(data)))),
    });
    while (!frames.some((frame) => frame.result?.type === "started")) await new Promise((r) => setTimeout(r, 10));
    await api.rest("POST", "/v1/rooms/doc/messages", { token: user.tokens.accessToken, body: { text: "documented" } });
    while (!frames.some((frame) => frame.result?.type === "data")) await new Promise((r) => setTimeout(r, 10));
    socket.close();

    const event = frames.find((frame) => frame.result?.type === "data")?.result?.data?.json.data ?? {};
    const schema = document.components.messages["rooms.onMessage.event"].payload;
    expect(Object.keys(event).sort()).toEqual(Object.keys(schema.properties).sort());
    for (const [key, property] of Object.entries(schema.properties as Record<string, { type: string }>)) {
      const type = property.type === "integer" ? "number" : property.type;
      expect(typeof event[key], key).toBe(type);
    }
    expect(event.text).toBe("documented");
  });
});
