import { closeClient } from "@trellis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Message, recorder, type Tracked, trpcCode } from "./support/live.js";
import { signUp, startServer, type TestServer } from "./support/server.js";

let api: TestServer;
let alice: Awaited<ReturnType<typeof signUp>>;
let bob: Awaited<ReturnType<typeof signUp>>;
let mallory: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  api = await startServer({
    ROOM_SEND_LIMIT: "5",
    ROOM_SEND_WINDOW_SECONDS: "600",
    WS_MAX_MESSAGE_BYTES: "2048",
    WS_MAX_SUBSCRIPTIONS: "3",
  });
  [alice, bob, mallory] = [await signUp(api), await signUp(api), await signUp(api)];
});
afterAll(() => api?.stop());

const post = (token: string, room: string, text: string) =>
  api.rest("POST", `/v1/rooms/${room}/messages`, { token, body: { text } });

/** Alice listening to a room, to show that others keep being served. */
async function listener(room: string) {
  const client = api.client(alice.tokens.accessToken);
  const seen = recorder<Tracked<Message>>();
  client.rooms.onMessage.subscribe({ room }, seen.handlers);
  await seen.until(() => seen.starts > 0, "alice subscribed");
  return { client, seen, texts: () => seen.events.map((event) => event.data.text) };
}

describe("limits", () => {
  it("a flood from one user is refused past the rate limit, while another user is served", async () => {
    const alice = await listener("flood");
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(mallory.tokens.accessToken, "flood", `spam ${i}`)),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.body).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/At most 5 messages/),
    });

    expect((await post(bob.tokens.accessToken, "flood", "hi, still here")).status).toBe(201);
    await alice.seen.until(() => alice.texts().includes("hi, still here"), "bob's message");
    expect(alice.texts()).toHaveLength(6);
    await closeClient(alice.client);
  });

  it("an over-long message is refused with the field named; the room carries on", async () => {
    const alice = await listener("long");
    const tooLong = await post(bob.tokens.accessToken, "long", "x".repeat(2001));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.issues[0].path).toEqual(["text"]);
    expect((await post(bob.tokens.accessToken, "long", "x".repeat(2000))).status).toBe(201);
    expect((await post(bob.tokens.accessToken, "long", "   ")).status).toBe(400);
    await alice.seen.until(() => alice.texts().length === 1, "the 2000-character message");
    await closeClient(alice.client);
  });

  it("an oversize WebSocket message closes that connection only (1009)", async () => {
    const listening = await listener("frames");
    const socket = new WebSocket(`${api.url.replace("http", "ws")}/trpc`);
    await new Promise((resolve) => socket.once("open", resolve));
    const closed = new Promise<number>((resolve) => socket.once("close", resolve));
    socket.send("x".repeat(4096));
    expect(await closed).toBe(1009);

    expect((await post(bob.tokens.accessToken, "frames", "after the big one")).status).toBe(201);
    await listening.seen.until(() => listening.texts().includes("after the big one"), "the next message");
    expect((await api.rest("GET", "/health")).status).toBe(200);
    await closeClient(listening.client);
  });

  it("a connection may hold a limited number of subscriptions", async () => {
    const client = api.client(alice.tokens.accessToken);
    const rooms = ["s1", "s2", "s3", "s4"];
    const seen = rooms.map(() => recorder<Tracked<Message>>());
    const subs = rooms.map((room, i) => client.rooms.onMessage.subscribe({ room }, seen[i]!.handlers));
    await seen[3]!.until(() => seen[3]!.errors.length === 1, "the fourth is refused");
    expect(trpcCode(seen[3]!.errors[0])).toBe("TOO_MANY_REQUESTS");

    await seen[0]!.until(() => seen[0]!.starts > 0, "the first started");
    await post(bob.tokens.accessToken, "s1", "to the first");
    await seen[0]!.until(() => seen[0]!.events.length === 1, "the first still works");

    // Ending one makes room for another.
    subs[1]!.unsubscribe();
    const again = recorder<Tracked<Message>>();
    client.rooms.onMessage.subscribe({ room: "s4" }, again.handlers);
    await again.until(() => again.starts > 0 || again.errors.length > 0, "the new subscription answered");
    await post(bob.tokens.accessToken, "s4", "to the fourth");
    await again.until(() => again.events.length === 1, "a new subscription once one ended");
    expect(again.errors).toEqual([]);
    await closeClient(client);
  });
});
