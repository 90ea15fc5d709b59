import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessBus } from "../../platform/events/in-process-bus.js";
import { codeOf } from "../../testing/error-code.js";
import { createHarness, type Harness, manualClock } from "../../testing/harness.js";
import { openCallers } from "./callers.js";

let h: Harness;
const clock = manualClock();
beforeAll(async () => {
  h = await createHarness({ clock });
});
afterAll(() => h.close());

/** testEnv leaves AUTH_CACHE_TTL_MS at its default. */
const TTL = 5_000;

const renameInDatabase = (id: number, name: string) => h.deps.db.user.update({ where: { id }, data: { name } });
/** rooms.send stamps the message with the caller's name as authentication found it. */
const authorNameOf = async (api: ReturnType<Harness["caller"]>) =>
  (await api.rooms.send({ room: `callers-${Date.now()}`, text: "hi" })).author.name;

describe("the callers an authenticated request sees", () => {
  it("a rename through the app shows in the caller's next request", async () => {
    const { api } = await h.signUp({ name: "Before" });
    expect(await authorNameOf(api)).toBe("Before");
    await api.users.updateMe({ name: "After" });
    expect(await authorNameOf(api)).toBe("After");
  });

  it("a change behind the app's back (SQL) applies within AUTH_CACHE_TTL_MS, not at once", async () => {
    expect(h.deps.env.AUTH_CACHE_TTL_MS).toBe(TTL);
    const { api, user } = await h.signUp({ name: "Original" });
    expect(await authorNameOf(api)).toBe("Original");
    await renameInDatabase(user.id, "Edited in SQL");
    expect(await authorNameOf(api)).toBe("Original");
    clock.advance(TTL + 1);
    expect(await authorNameOf(api)).toBe("Edited in SQL");
  });

  it("a user deleted in the database directly is refused once the entry expires", async () => {
    const { api, user } = await h.signUp();
    expect(await codeOf(api.items.list({}))).toBe("resolved");
    await h.deps.db.user.delete({ where: { id: user.id } });
    clock.advance(TTL + 1);
    expect(await codeOf(api.items.list({}))).toBe("UNAUTHORIZED");
  });

  it("administrators are never remembered: a demotion in SQL applies to the very next request", async () => {
    const admin = await h.signUp({ admin: true });
    expect(await codeOf(admin.api.users.list({}))).toBe("resolved");
    await h.deps.db.user.update({ where: { id: admin.user.id }, data: { role: "user" } });
    expect(await codeOf(admin.api.users.list({}))).toBe("FORBIDDEN");
  });
});

describe("openCallers", () => {
  it("forget on one instance evicts the entry on every instance sharing the bus", async () => {
    const bus = createInProcessBus();
    const options = { db: h.deps.db, bus, clock, ttlMs: 60_000 };
    const [a, b] = [await openCallers(options), await openCallers(options)];
    try {
      const { user } = await h.signUp({ name: "Shared" });
      expect((await a.find(user.id))?.name).toBe("Shared");
      expect((await b.find(user.id))?.name).toBe("Shared");
      await renameInDatabase(user.id, "Renamed on A");
      await a.forget(user.id);
      expect((await b.find(user.id))?.name).toBe("Renamed on A");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a load that was in flight when forget ran does not store the stale user", async () => {
    // The database answers, then the answer is held back until a rename and its forget have happened.
    let answered!: () => void;
    const hasAnswered = new Promise<void>((resolve) => (answered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const findUnique = h.deps.db.user.findUnique.bind(h.deps.db.user) as (args: unknown) => Promise<unknown>;
    const slowDb = {
      user: {
        findUnique: async (args: unknown) => {
          const row = await findUnique(args);
          answered();
          await released;
          return row;
        },
      },
    } as unknown as typeof h.deps.db;
    const callers = await openCallers({ db: slowDb, bus: createInProcessBus(), clock, ttlMs: 60_000 });
    try {
      const { user } = await h.signUp({ name: "Racing" });
      const stale = callers.find(user.id);
      await hasAnswered;
      await renameInDatabase(user.id, "Won the race");
      await callers.forget(user.id);
      release();
      expect((await stale)?.name).toBe("Racing");
      expect((await callers.find(user.id))?.name).toBe("Won the race");
    } finally {
      await callers.close();
    }
  });

  it("keeps at most maxEntries users, dropping the oldest", async () => {
    const callers = await openCallers({
      db: h.deps.db,
      bus: createInProcessBus(),
      clock,
      ttlMs: 60_000,
      maxEntries: 2,
    });
    try {
      const [first, second, third] = [await h.signUp(), await h.signUp(), await h.signUp()];
      for (const { user } of [first, second, third]) await callers.find(user.id);
      await renameInDatabase(first.user.id, "Re-read");
      await renameInDatabase(third.user.id, "Still remembered");
      expect((await callers.find(first.user.id))?.name).toBe("Re-read");
      expect((await callers.find(third.user.id))?.name).not.toBe("Still remembered");
    } finally {
      await callers.close();
    }
  });

  it("with ttlMs 0 reads the user on every call", async () => {
    const callers = await openCallers({ db: h.deps.db, bus: createInProcessBus(), clock, ttlMs: 0 });
    try {
      const { user } = await h.signUp({ name: "Uncached" });
      await callers.find(user.id);
      await renameInDatabase(user.id, "Seen at once");
      expect((await callers.find(user.id))?.name).toBe("Seen at once");
    } finally {
      await callers.close();
    }
  });
});
