import { closeClient } from "@trellis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { type Message, openRawSubscription, recorder, type Tracked } from "./support/live.js";
import { startWithTwoUsers, type TestServer, type TwoUsers } from "./support/server.js";

let api: TestServer;
let alice: TwoUsers["alice"];
let bob: TwoUsers["bob"];
beforeAll(async () => {
  ({ api, alice, bob } = await startWithTwoUsers({ WS_MAX_BUFFERED_BYTES: "65536", ROOM_SEND_LIMIT: "100000" }));
});
afterAll(() => api?.stop());

const connections = () => api.server.app.websocketServer.clients.size;

describe("a WebSocket client that stops reading", () => {
  it("is dropped once the server holds WS_MAX_BUFFERED_BYTES for it, while others get every message", {
    timeout: 60_000,
  }, async () => {
    const reader = api.client(alice.tokens.accessToken);
    const seen = recorder<Tracked<Message>>();
    reader.rooms.onMessage.subscribe({ room: "stall" }, seen.handlers);
    await seen.until(() => seen.starts > 0, "the reader subscribed");

    let started!: () => void;
    const subscribed = new Promise<void>((resolve) => (started = resolve));
    const stalled: WebSocket = await openRawSubscription({
      url: `${api.url.replace("http", "ws")}/trpc`,
      token: bob.tokens.accessToken,
      path: "rooms.onMessage",
      input: { room: "stall" },
      watch: (socket) => socket.on("message", (data) => String(data).includes('"started"') && started()),
    });
    await subscribed;
    stalled.pause(); // reads nothing more: the kernel's buffers fill, then the server's
    expect(connections()).toBe(2);

    const text = "🙂".repeat(1000); // 4 KB a frame
    let posted = 0;
    while (connections() === 2 && posted < 5_000) {
      expect(
        (await api.rest("POST", "/v1/rooms/stall/messages", { token: alice.tokens.accessToken, body: { text } }))
          .status,
      ).toBe(201);
      posted++;
    }
    expect(connections()).toBe(1);
    expect(posted).toBeLessThan(5_000);

    await seen.until(() => seen.events.length === posted, "every message reaches the client that reads");
    expect(seen.events.map((event) => Number(event.id))).toEqual(Array.from({ length: posted }, (_, i) => i + 1));
    stalled.terminate();
    await closeClient(reader);
  });
});

describe("a WebSocket client that reads", () => {
  it("keeps its connection when a burst larger than WS_MAX_BUFFERED_BYTES arrives inside one flush window", async () => {
    // The server holds a busy room's frames for up to WS_FLUSH_INTERVAL_MS to send them together; what
    // it holds on purpose is not a client falling behind.
    const burst = await startWithTwoUsers({
      WS_MAX_BUFFERED_BYTES: "65536",
      WS_FLUSH_INTERVAL_MS: "1000",
      ROOM_SEND_LIMIT: "100000",
    });
    const reader = burst.api.client(burst.alice.tokens.accessToken);
    try {
      const seen = recorder<Tracked<Message>>();
      reader.rooms.onMessage.subscribe({ room: "burst" }, seen.handlers);
      await seen.until(() => seen.starts > 0, "the reader subscribed");
      const [socket] = burst.api.server.app.websocketServer.clients;

      const text = "🙂".repeat(1000); // 4 KB a frame: 32 of them are twice the limit
      const token = burst.alice.tokens.accessToken;
      for (let i = 0; i < 32; i++) {
        expect((await burst.api.rest("POST", "/v1/rooms/burst/messages", { token, body: { text } })).status).toBe(201);
      }

      await seen.until(() => seen.events.length === 32, "every message reaches the reader");
      expect([...burst.api.server.app.websocketServer.clients]).toEqual([socket]);
      expect(seen.starts).toBe(1);
    } finally {
      await closeClient(reader);
      await burst.api.stop();
    }
  });
});
