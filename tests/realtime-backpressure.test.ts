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
