import { createClient, createSession } from "@trellis/client";
import { createAccessTokens, testEnv } from "@trellis/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Message, openRawSubscription, recorder, type Tracked, trpcCode } from "./support/live.js";
import { startWithTwoUsers, type TestServer, type TwoUsers } from "./support/server.js";

// Access tokens that live 3 s, so that expiry happens during a test.
const env = testEnv({ WS_RECONNECT_GRACE_MS: "500" });
const shortLived = createAccessTokens({
  secret: env.JWT_SECRET,
  issuer: env.JWT_ISSUER,
  ttlSeconds: 3,
  clock: { now: () => new Date() },
});

let api: TestServer;
let alice: TwoUsers["alice"];
let bob: TwoUsers["bob"];
beforeAll(async () => {
  ({ api, alice, bob } = await startWithTwoUsers({ WS_RECONNECT_GRACE_MS: "500" }, { accessTokens: shortLived }));
});
afterAll(() => api?.stop());

/** A new login: tokens from `signUp` may have expired by the time a test runs. */
async function login(user: { email: string; password: string }) {
  const response = await api.rest("POST", "/v1/auth/login", { body: { email: user.email, password: user.password } });
  return response.body as { accessToken: string; refreshToken: string };
}

/** Bob posts with a fresh login each time: his tokens expire too. */
async function post(room: string, text: string) {
  const { accessToken } = await login(bob);
  const sent = await api.rest("POST", `/v1/rooms/${room}/messages`, { token: accessToken, body: { text } });
  expect(sent.status).toBe(201);
}

/** A client that refreshes its login as the product's own session does. */
async function refreshingClient(subscriptions: "websocket" | "sse") {
  let refreshes = 0;
  const session = createSession({ url: api.url, tokens: await login(alice), onChange: () => refreshes++ });
  const client = createClient({
    url: api.url,
    token: session.accessToken,
    onUnauthorized: session.refresh,
    subscriptions,
  });
  return { client, refreshes: () => refreshes };
}

describe.each(["websocket", "sse"] as const)("when the access token expires (%s)", (transport) => {
  it("a client that can refresh its login keeps receiving, nothing lost", async () => {
    const room = `refresh-${transport}`;
    const { client, refreshes } = await refreshingClient(transport);
    const seen = recorder<Tracked<Message>>();
    const sub = client.rooms.onMessage.subscribe({ room }, seen.handlers);
    await seen.until(() => seen.starts > 0, "subscribed");
    await post(room, "before");
    await seen.until(() => seen.events.length === 1, "the first message");
    const before = refreshes();
    await eventually(() => refreshes() > before, "the client refreshed its login after the token expired");
    await post(room, "after");
    await seen.until(() => seen.events.length === 2, "the second message");
    expect(seen.events.map((event) => event.data.text)).toEqual(["before", "after"]);
    expect(seen.errors).toEqual([]);
    sub.unsubscribe();
  });

  it("a client stuck with the expired token gets UNAUTHORIZED instead of a stream that never ends", async () => {
    const room = `stale-${transport}`;
    const { accessToken } = await login(alice);
    const client = createClient({ url: api.url, token: accessToken, subscriptions: transport });
    const seen = recorder<Tracked<Message>>();
    client.rooms.onMessage.subscribe({ room }, seen.handlers);
    await seen.until(() => seen.starts > 0, "subscribed");
    await post(room, "while the token is valid");
    await seen.until(() => seen.events.length === 1, "the message");
    await seen.until(() => seen.errors.length === 1, "the subscription ends");
    expect(trpcCode(seen.errors[0])).toBe("UNAUTHORIZED");
    expect(seen.events.map((event) => event.data.text)).toEqual(["while the token is valid"]);
  });
});

describe("a WebSocket client that ignores the server's request to reconnect", () => {
  it("is disconnected once the grace period is over", async () => {
    const { accessToken } = await login(alice);
    const received: unknown[] = [];
    let closed!: Promise<number>;
    await openRawSubscription({
      url: `${api.url.replace("http", "ws")}/trpc`,
      token: accessToken,
      path: "rooms.onMessage",
      input: { room: "x" },
      watch: (socket) => {
        socket.on("message", (data) => received.push(JSON.parse(String(data))));
        closed = new Promise<number>((resolve) => socket.once("close", resolve));
      },
    });
    expect(await closed).toBe(4401);
    expect(received).toContainEqual({ id: null, method: "reconnect" });
  });
});
