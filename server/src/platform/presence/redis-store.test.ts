import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { connectRedis, disconnectRedis } from "../redis.js";
import { createRedisPresenceStore } from "./redis-store.js";

/** The Redis the team's machines and CI run (.ci/run starts it); every test uses a prefix of its own. */
const redis = connectRedis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", "presence-test", () => {});
afterAll(() => disconnectRedis(redis));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keysUnder = (prefix: string) => redis.keys(`${prefix}*`);

describe("presence in Redis", () => {
  it("keeps a space's keys while an instance refreshes it, and leaves nothing once nobody does", {
    timeout: 15_000,
  }, async () => {
    const prefix = `trellis-test-${randomUUID()}:`;
    const ttlMs = 1000;
    const store = createRedisPresenceStore({ redis, prefix, ttlMs });
    const snapshot = await store.add("room", "conn-1", { id: 1, name: "Ada" });
    expect(snapshot.members).toEqual([{ id: 1, name: "Ada" }]);
    expect((await keysUnder(prefix)).sort()).toEqual([
      `${prefix}presence:room:conns`,
      `${prefix}presence:room:members`,
      `${prefix}presence:room:version`,
    ]);

    // Refreshed for longer than a key's lifetime (2 × ttlMs): still there, member and all.
    for (let elapsed = 0; elapsed < 3 * ttlMs; elapsed += ttlMs / 3) {
      await store.refresh();
      await sleep(ttlMs / 3);
    }
    expect((await store.snapshot("room")).members).toEqual([{ id: 1, name: "Ada" }]);

    // The instance goes away without removing its member (a crash): the keys go too.
    await store.close();
    await sleep(2 * ttlMs + 500);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it("leaves nothing behind once the last member leaves", async () => {
    const prefix = `trellis-test-${randomUUID()}:`;
    const store = createRedisPresenceStore({ redis, prefix, ttlMs: 200 });
    await store.add("room", "conn-1", { id: 1, name: "Ada" });
    expect((await store.remove("room", "conn-1")).members).toEqual([]);
    await sleep(600);
    expect(await keysUnder(prefix)).toEqual([]);
    await store.close();
  });
});
