import { randomUUID } from "node:crypto";
import { closeClient, createClient, type RouterOutputs } from "@trellis/client";
import { createPostgresDatabase, testEnv } from "@trellis/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Instance, startInstance } from "./support/instance.js";
import { type Message, recorder, type Tracked } from "./support/live.js";

type Presence = RouterOutputs["rooms"]["send"] extends unknown ? { members: { id: number; name: string }[] } : never;

/**
 * Two server processes sharing one fresh PostgreSQL database and one Redis (with a key prefix of
 * their own): they must behave as one server. `.ci/run` makes sure both services answer.
 */
const redis = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
let a: Instance;
let b: Instance;
beforeAll(async () => {
  database = await createPostgresDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redis,
    REDIS_KEY_PREFIX: `trellis-test-${randomUUID()}:`,
    JWT_SECRET: testEnv().JWT_SECRET,
    PRESENCE_TTL_SECONDS: "2",
    ROOM_SEND_LIMIT: "5",
    ROOM_SEND_WINDOW_SECONDS: "600",
    // Long enough that only the eviction through Redis can explain a fresh name on the other instance.
    AUTH_CACHE_TTL_MS: "60000",
  };
  a = await startInstance(env); // applies the migrations
  b = await startInstance(env);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
});

async function rest(instance: Instance, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${instance.url}/api${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

let counter = 0;
/** Registers on one instance; the account and its tokens work on both. */
async function user(name: string) {
  const email = `cluster-${Date.now()}-${counter++}@example.com`;
  const password = "correct horse battery";
  const registered = await rest(a, "POST", "/v1/auth/register", { email, name, password });
  const login = await rest(b, "POST", "/v1/auth/login", { email, password });
  return { id: registered.body.id as number, token: login.body.accessToken as string };
}

describe("two instances with Redis and one database", () => {
  it("are both ready, with Redis checked", async () => {
    for (const instance of [a, b]) {
      expect(await rest(instance, "GET", "/ready")).toEqual({
        status: 200,
        body: { status: "ok", checks: { database: "ok", redis: "ok" } },
      });
    }
  });

  it("deliver a message sent through one to subscribers of the other, in one sequence", async () => {
    const [alice, bob] = [await user("Alice"), await user("Bob")];
    const onB = createClient({ url: b.url, token: alice.token });
    const onA = createClient({ url: a.url, token: bob.token });
    const seenOnB = recorder<Tracked<Message>>();
    const seenOnA = recorder<Tracked<Message>>();
    onB.rooms.onMessage.subscribe({ room: "across" }, seenOnB.handlers);
    onA.rooms.onMessage.subscribe({ room: "across" }, seenOnA.handlers);
    await seenOnB.until(() => seenOnB.starts > 0, "subscribed on B");
    await seenOnA.until(() => seenOnA.starts > 0, "subscribed on A");

    expect((await rest(a, "POST", "/v1/rooms/across/messages", { text: "sent to A" }, bob.token)).status).toBe(201);
    expect((await rest(b, "POST", "/v1/rooms/across/messages", { text: "sent to B" }, alice.token)).status).toBe(201);
    for (const seen of [seenOnA, seenOnB]) {
      await seen.until(() => seen.events.length === 2, "both messages");
      expect(seen.events.map((event) => [event.id, event.data.text])).toEqual([
        ["1", "sent to A"],
        ["2", "sent to B"],
      ]);
    }
    await Promise.all([closeClient(onA), closeClient(onB)]);
  });

  it("count the send rate of a user across both", async () => {
    const mallory = await user("Mallory");
    const statuses: number[] = [];
    for (const instance of [a, b, a, b, a, b]) {
      statuses.push((await rest(instance, "POST", "/v1/rooms/rate/messages", { text: "spam" }, mallory.token)).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });

  it("forget who a renamed user was on both at once (the change travels through Redis)", async () => {
    const dora = await user("Dora");
    const authorOnB = async () =>
      (await rest(b, "POST", "/v1/rooms/renames/messages", { text: "hi" }, dora.token)).body.author.name;
    expect(await authorOnB()).toBe("Dora"); // B now remembers Dora
    expect((await rest(a, "PATCH", "/v1/users/me", { name: "Dorothea" }, dora.token)).status).toBe(200);
    expect(await authorOnB()).toBe("Dorothea");
  });

  it("share presence: joins and leaves on either show on both, and a crashed instance's members expire", async () => {
    const [alice, bob] = [await user("Alice"), await user("Bob")];
    const aliceOnA = createClient({ url: a.url, token: alice.token });
    const bobOnB = createClient({ url: b.url, token: bob.token });
    const seen = recorder<Presence>();
    aliceOnA.rooms.presence.subscribe({ room: "lounge" }, seen.handlers);
    const members = () => seen.events.at(-1)?.members.map((member) => member.name) ?? [];
    await seen.until(() => members().length === 1, "alice in");
    const bobSees = recorder<Presence>();
    bobOnB.rooms.presence.subscribe({ room: "lounge" }, bobSees.handlers);
    await seen.until(() => members().length === 2, "alice, on A, sees bob join on B");
    expect(members()).toEqual(["Alice", "Bob"]);
    await bobSees.until(() => bobSees.events.length > 0, "bob's first view");
    expect(bobSees.events[0]?.members.map((member) => member.name)).toEqual(["Alice", "Bob"]);

    await closeClient(bobOnB);
    await seen.until(() => members().length === 1, "bob leaves");
    expect(members()).toEqual(["Alice"]);

    // Carol joins through B, then B dies without saying goodbye: her presence expires (TTL 2 s).
    const carol = await user("Carol");
    const carolOnB = createClient({ url: b.url, token: carol.token });
    carolOnB.rooms.presence.subscribe({ room: "lounge" }, recorder<Presence>().handlers);
    await seen.until(() => members().includes("Carol"), "carol joins on B");
    await b.crash();
    await seen.until(() => !members().includes("Carol"), "carol's presence expires with B");
    expect(members()).toEqual(["Alice"]);
    await closeClient(aliceOnA);
    await closeClient(carolOnB);
  });
});
