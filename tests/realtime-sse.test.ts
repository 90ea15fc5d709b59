import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Message, recorder, type Tracked, trpcCode } from "./support/live.js";
import { startWithTwoUsers, type TestServer, type TwoUsers } from "./support/server.js";

let api: TestServer;
let alice: TwoUsers["alice"];
let bob: TwoUsers["bob"];
beforeAll(async () => {
  ({ api, alice, bob } = await startWithTwoUsers());
});
afterAll(() => api?.stop());

const post = (room: string, text: string) =>
  api.rest("POST", `/v1/rooms/${room}/messages`, { token: bob.tokens.accessToken, body: { text } });
const sseClient = (token?: string) => api.client(token, { subscriptions: "sse" });

describe("rooms over server-sent events, with the typed client", () => {
  it("delivers messages live", async () => {
    const seen = recorder<Tracked<Message>>();
    const sub = sseClient(alice.tokens.accessToken).rooms.onMessage.subscribe({ room: "sse-live" }, seen.handlers);
    await seen.until(() => seen.starts > 0, "stream open");
    await post("sse-live", "over SSE");
    await seen.until(() => seen.events.length === 1, "the message arrives");
    expect(seen.events[0]).toMatchObject({ id: "1", data: { text: "over SSE", author: { id: bob.user.id } } });
    expect(seen.events[0]?.data.createdAt).toBeInstanceOf(Date);
    sub.unsubscribe();
  });

  it("after the server drops the connection, resumes with nothing lost or repeated", async () => {
    const streams = new Set<Socket>();
    api.server.app.server.on("request", (request: IncomingMessage) => {
      if (request.url?.startsWith("/trpc/rooms.onMessage")) streams.add(request.socket);
    });
    const seen = recorder<Tracked<Message>>();
    const sub = sseClient(alice.tokens.accessToken).rooms.onMessage.subscribe({ room: "sse-resume" }, seen.handlers);
    await seen.until(() => seen.starts > 0, "stream open");
    for (const text of ["m1", "m2", "m3"]) await post("sse-resume", text);
    await seen.until(() => seen.events.length === 3, "m1..m3 arrive");

    for (const socket of streams) socket.destroy();
    for (const text of ["m4", "m5", "m6"]) await post("sse-resume", text);
    await seen.until(() => seen.events.length >= 6, "m4..m6 arrive after the reconnect");
    await post("sse-resume", "m7");
    await seen.until(() => seen.events.some((event) => event.data.text === "m7"), "m7 arrives live");

    expect(seen.events.map((event) => event.data.text)).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    expect(seen.errors).toEqual([]);
    sub.unsubscribe();
  });

  it("refuses a missing or bad token with UNAUTHORIZED", async () => {
    for (const token of [undefined, "not-a-token"]) {
      const seen = recorder<unknown>();
      sseClient(token).rooms.onMessage.subscribe({ room: "sse-live" }, seen.handlers);
      await seen.until(() => seen.errors.length === 1, `an error for token ${token}`);
      expect(trpcCode(seen.errors[0])).toBe("UNAUTHORIZED");
    }
  });

  it("streams item changes and presence too", async () => {
    const changes = recorder<{ type: string }>();
    const client = sseClient(alice.tokens.accessToken);
    const sub = client.items.onChange.subscribe(undefined, changes.handlers);
    const presence = recorder<{ members: { id: number }[] }>();
    const here = client.rooms.presence.subscribe({ room: "sse-salon" }, presence.handlers);
    await changes.until(() => changes.starts > 0, "stream open");
    await api.rest("POST", "/v1/items", { token: alice.tokens.accessToken, body: { title: "Via SSE" } });
    await changes.until(() => changes.events.length === 1, "the change arrives");
    expect(changes.events[0]?.type).toBe("created");
    await presence.until(() => presence.events.length > 0, "presence arrives");
    expect(presence.events[0]?.members.map((member) => member.id)).toEqual([alice.user.id]);
    sub.unsubscribe();
    here.unsubscribe();
  });
});
