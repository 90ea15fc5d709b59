import { closeClient, type RouterOutputs } from "@trellis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Message, openRawSubscription, recorder, type Tracked, trpcCode } from "./support/live.js";
import { parseAnswer, rawExchange } from "./support/raw-http.js";
import { signUp, startServer, startWithTwoUsers, type TestServer, type TwoUsers } from "./support/server.js";

let api: TestServer;
let alice: TwoUsers["alice"];
let bob: TwoUsers["bob"];
beforeAll(async () => {
  ({ api, alice, bob } = await startWithTwoUsers());
});
afterAll(() => api?.stop());

const post = (token: string, room: string, text: string) =>
  api.rest("POST", `/v1/rooms/${room}/messages`, { token, body: { text } });

describe("rooms over WebSocket, with the typed client", () => {
  it("delivers messages posted over REST, live, with Dates and authors", async () => {
    const client = api.client(alice.tokens.accessToken);
    const seen = recorder<Tracked<Message>>();
    const sub = client.rooms.onMessage.subscribe({ room: "lobby" }, seen.handlers);
    await seen.until(() => seen.starts > 0, "subscription started");

    const sent = await post(bob.tokens.accessToken, "lobby", "Hello from REST");
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ id: 1, room: "lobby", text: "Hello from REST", author: { id: bob.user.id } });
    await seen.until(() => seen.events.length === 1, "the message arrives");
    expect(seen.events[0]).toMatchObject({ id: "1", data: { text: "Hello from REST", author: { name: "E2E User" } } });
    expect(seen.events[0]?.data.createdAt).toBeInstanceOf(Date);
    sub.unsubscribe();
    await closeClient(client);
  });

  it("delivers the longest message, in several scripts, intact to every subscriber", async () => {
    const clients = [api.client(alice.tokens.accessToken), api.client(bob.tokens.accessToken)];
    const seen = clients.map(() => recorder<Tracked<Message>>());
    for (const [i, client] of clients.entries())
      client.rooms.onMessage.subscribe({ room: "scripts" }, seen[i]!.handlers);
    for (const each of seen) await each.until(() => each.starts > 0, "subscription started");
    const texts = ["é".repeat(2000), "漢字かな".repeat(500), "🙂".repeat(1000), "x"];
    for (const text of texts) expect((await post(bob.tokens.accessToken, "scripts", text)).status).toBe(201);
    for (const each of seen) {
      await each.until(() => each.events.length === texts.length, "every message");
      expect(each.events.map((event) => event.data.text)).toEqual(texts);
    }
    await Promise.all(clients.map((client) => closeClient(client)));
  });

  it("after the server drops the socket, resumes with nothing lost or repeated", async () => {
    const client = api.client(alice.tokens.accessToken);
    const seen = recorder<Tracked<Message>>();
    client.rooms.onMessage.subscribe({ room: "resume" }, seen.handlers);
    await seen.until(() => seen.starts > 0, "subscription started");
    for (const text of ["m1", "m2", "m3"]) await post(bob.tokens.accessToken, "resume", text);
    await seen.until(() => seen.events.length === 3, "m1..m3 arrive");

    for (const socket of api.server.app.websocketServer.clients) socket.terminate();
    for (const text of ["m4", "m5", "m6"]) await post(bob.tokens.accessToken, "resume", text);
    await seen.until(() => seen.events.length >= 6, "m4..m6 arrive after the reconnect");
    await post(bob.tokens.accessToken, "resume", "m7");
    await seen.until(() => seen.events.some((event) => event.data.text === "m7"), "m7 arrives live");

    expect(seen.events.map((event) => event.data.text)).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    expect(seen.events.map((event) => event.id)).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(seen.errors).toEqual([]);
    await closeClient(client);
  });

  it("with lastEventId, first sends what came after it, then live messages", async () => {
    for (const text of ["a", "b", "c"]) await post(bob.tokens.accessToken, "catch-up", text);
    const client = api.client(alice.tokens.accessToken);
    const seen = recorder<Tracked<Message>>();
    client.rooms.onMessage.subscribe({ room: "catch-up", lastEventId: 1 }, seen.handlers);
    await seen.until(() => seen.events.length === 2, "b and c from the database");
    await post(bob.tokens.accessToken, "catch-up", "d");
    await seen.until(() => seen.events.length === 3, "d live");
    expect(seen.events.map((event) => event.data.text)).toEqual(["b", "c", "d"]);
    await closeClient(client);
  });

  it("refuses a missing or bad token with UNAUTHORIZED", async () => {
    for (const token of [undefined, "not-a-token", `${alice.tokens.accessToken}x`]) {
      const client = api.client(token);
      const seen = recorder<unknown>();
      client.rooms.onMessage.subscribe({ room: "lobby" }, seen.handlers);
      await seen.until(() => seen.errors.length === 1, `an error for token ${token}`);
      expect(trpcCode(seen.errors[0])).toBe("UNAUTHORIZED");
      expect(seen.events).toEqual([]);
      await closeClient(client);
    }
  });

  it("answers an upgrade to another path as a plain request, then closes the connection", async () => {
    const { host } = new URL(api.url);
    const handshake = (path: string) =>
      rawExchange(
        api.url,
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      ).then(parseAnswer);
    const answers = await Promise.all(["/nowhere", "/api/health", "/trpc/"].map(handshake));
    expect(answers.map((answer) => answer.statusLine)).toEqual([
      "HTTP/1.1 404 Not Found",
      "HTTP/1.1 200 OK",
      "HTTP/1.1 404 Not Found",
    ]);
    expect(answers[0]?.body).toMatchObject({ code: "NOT_FOUND" });
    expect((await api.rest("GET", "/health")).status).toBe(200);
  });
});

describe("items.onChange", () => {
  it("streams created, updated and deleted events of the caller's items only", async () => {
    const client = api.client(alice.tokens.accessToken);
    const seen = recorder<RouterOutputs["items"]["create"] extends infer I ? { type: string; item: I } : never>();
    client.items.onChange.subscribe(undefined, seen.handlers);
    await seen.until(() => seen.starts > 0, "subscription started");

    const token = alice.tokens.accessToken;
    await api.rest("POST", "/v1/items", { token: bob.tokens.accessToken, body: { title: "Bob's" } });
    const created = await api.rest("POST", "/v1/items", { token, body: { title: "Lamp" } });
    await api.rest("PATCH", `/v1/items/${created.body.id}`, { token, body: { title: "Brass lamp" } });
    await api.rest("DELETE", `/v1/items/${created.body.id}`, { token });
    await seen.until(() => seen.events.length === 3, "three changes");
    expect(seen.events.map((event) => [event.type, event.item.title])).toEqual([
      ["created", "Lamp"],
      ["updated", "Brass lamp"],
      ["deleted", "Brass lamp"],
    ]);
    await closeClient(client);
  });
});

describe("rooms.presence", () => {
  it("shows who joins and who leaves, including a connection that just drops", async () => {
    const client = api.client(alice.tokens.accessToken);
    const seen =
      recorder<RouterOutputs["rooms"]["send"] extends unknown ? { members: { name: string; id: number }[] } : never>();
    client.rooms.presence.subscribe({ room: "salon" }, seen.handlers);
    const ids = () => seen.events.at(-1)?.members.map((member) => member.id);
    await seen.until(() => ids()?.length === 1, "alice alone");
    expect(ids()).toEqual([alice.user.id]);

    // Bob joins with a bare WebSocket, then his connection dies without a goodbye.
    const socket = await openRawSubscription({
      url: `${api.url.replace("http", "ws")}/trpc`,
      token: bob.tokens.accessToken,
      path: "rooms.presence",
      input: { room: "salon" },
    });
    await seen.until(() => ids()?.length === 2, "bob joins");
    expect(new Set(ids())).toEqual(new Set([alice.user.id, bob.user.id]));
    socket.terminate();
    await seen.until(() => ids()?.length === 1, "bob is gone");
    expect(ids()).toEqual([alice.user.id]);
    await closeClient(client);
  });
});

describe("shutdown", () => {
  it("tells connected clients to reconnect before closing their sockets", async () => {
    const server = await startServer();
    const user = await signUp(server);
    const received: string[] = [];
    let closed!: Promise<number>;
    await openRawSubscription({
      url: `${server.url.replace("http", "ws")}/trpc`,
      token: user.tokens.accessToken,
      path: "rooms.onMessage",
      input: { room: "x" },
      watch: (socket) => {
        socket.on("message", (data) => received.push(String(data)));
        closed = new Promise<number>((resolve) => socket.once("close", resolve));
      },
    });
    while (!received.some((message) => message.includes('"started"'))) await new Promise((r) => setTimeout(r, 10));

    await server.stop();
    expect(await closed).toBe(1001);
    expect(received.map((message) => JSON.parse(message))).toContainEqual({ id: null, method: "reconnect" });
  });
});
