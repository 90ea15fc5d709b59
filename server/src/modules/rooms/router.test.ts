import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventBus } from "../../platform/events/event-bus.js";
import { createInProcessBus } from "../../platform/events/in-process-bus.js";
import { codeOf } from "../../testing/error-code.js";
import { createHarness, type Harness, manualClock, testEnv } from "../../testing/harness.js";
import type { RoomMessage } from "./schema.js";

/** Messages whose publish the bus "loses", as Redis would while disconnected. */
const lost = new Set<string>();
const inner = createInProcessBus();
const lossyBus: EventBus = {
  ...inner,
  publish: (topic, message) =>
    lost.has((message as { text?: string }).text ?? "") ? Promise.resolve() : inner.publish(topic, message),
};

const clock = manualClock();
let h: Harness;
let alice: Awaited<ReturnType<Harness["signUp"]>>;
let bob: Awaited<ReturnType<Harness["signUp"]>>;
beforeAll(async () => {
  h = await createHarness({ bus: lossyBus, clock });
  alice = await h.signUp({ name: "Alice" });
  bob = await h.signUp({ name: "Bob" });
});
afterAll(() => h.close());

/** Reads a subscription opened through the caller one event at a time. */
async function open<T>(events: Promise<AsyncIterable<T>>) {
  const iterator = (await events)[Symbol.asyncIterator]();
  return { next: async () => (await iterator.next()).value as T, close: () => iterator.return?.() };
}
type Tracked = [string, RoomMessage];

/** A caller's subscription yields tRPC's tracked envelope (`[id, data]`), which clients receive as `{ id, data }`. */
async function openTracked(events: Promise<AsyncIterable<unknown>>) {
  const stream = await open(events);
  return { next: async () => (await stream.next()) as unknown as Tracked, close: stream.close };
}

describe("rooms.send and rooms.history", () => {
  it("numbers messages per room, trims text, names the author", async () => {
    const first = await bob.api.rooms.send({ room: "numbers", text: "  hello  " });
    expect(first).toMatchObject({ id: 1, room: "numbers", text: "hello", author: { id: bob.user.id, name: "Bob" } });
    expect((await alice.api.rooms.send({ room: "numbers", text: "again" })).id).toBe(2);
    expect((await alice.api.rooms.send({ room: "numbers-2", text: "elsewhere" })).id).toBe(1);
  });

  it("refuses bad room names, empty or over-long text, and anonymous callers", async () => {
    for (const room of ["", "Caps", "-dash-first", "a/b", "x".repeat(65)]) {
      expect(await codeOf(bob.api.rooms.send({ room, text: "hi" })), room).toBe("BAD_REQUEST");
    }
    for (const text of ["", "   ", "x".repeat(2001)]) {
      expect(await codeOf(bob.api.rooms.send({ room: "ok", text }))).toBe("BAD_REQUEST");
    }
    expect(await codeOf(h.caller().rooms.send({ room: "ok", text: "hi" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(h.caller().rooms.history({ room: "ok" }))).toBe("UNAUTHORIZED");
  });

  it("pages oldest first: the latest page by default, then after an id", async () => {
    for (const text of ["1", "2", "3", "4", "5"]) await bob.api.rooms.send({ room: "pages", text });
    const texts = (page: { items: RoomMessage[] }) => page.items.map((message) => message.text);
    expect(texts(await alice.api.rooms.history({ room: "pages", limit: 2 }))).toEqual(["4", "5"]);
    expect(texts(await alice.api.rooms.history({ room: "pages", after: 0, limit: 2 }))).toEqual(["1", "2"]);
    expect(texts(await alice.api.rooms.history({ room: "pages", after: 2, limit: 2 }))).toEqual(["3", "4"]);
    expect(texts(await alice.api.rooms.history({ room: "pages", after: 5 }))).toEqual([]);
    expect(texts(await alice.api.rooms.history({ room: "never-used" }))).toEqual([]);
    expect(await codeOf(alice.api.rooms.history({ room: "pages", limit: 101 }))).toBe("BAD_REQUEST");
  });
});

describe("rooms.onMessage", () => {
  it("resumes after lastEventId while messages keep coming: each exactly once, in order", async () => {
    for (let i = 1; i <= 5; i++) await bob.api.rooms.send({ room: "race", text: `m${i}` });
    const stream = await openTracked(alice.api.rooms.onMessage({ room: "race", lastEventId: 2 }));
    const sending = (async () => {
      for (let i = 6; i <= 15; i++) await bob.api.rooms.send({ room: "race", text: `m${i}` });
    })();
    const received: Tracked[] = [];
    while (received.length < 13) received.push(await stream.next());
    await sending;
    expect(received.map(([id]) => id)).toEqual(Array.from({ length: 13 }, (_, i) => String(i + 3)));
    expect(received.map(([, message]) => message.text)).toEqual(Array.from({ length: 13 }, (_, i) => `m${i + 3}`));
    await stream.close();
  });

  it("reads back from the database a message whose live delivery was lost", async () => {
    await bob.api.rooms.send({ room: "lossy", text: "before" });
    const stream = await openTracked(alice.api.rooms.onMessage({ room: "lossy", lastEventId: 1 }));
    lost.add("lost in transit");
    const next = stream.next();
    await bob.api.rooms.send({ room: "lossy", text: "lost in transit" });
    await bob.api.rooms.send({ room: "lossy", text: "after" });
    const received = [await next, await stream.next()];
    expect(received.map(([, message]) => message.text)).toEqual(["lost in transit", "after"]);
    await stream.close();
  });

  it("treats a lastEventId beyond the room's end as the end", async () => {
    await bob.api.rooms.send({ room: "reset", text: "one" });
    const stream = await openTracked(alice.api.rooms.onMessage({ room: "reset", lastEventId: 999 }));
    // The subscription goes live at some point after the first next(): keep posting until a message
    // reaches it. Were 999 taken at its word, nothing would before message 1000.
    let delivered: Tracked | undefined;
    const next = stream.next().then((event) => {
      delivered = event;
    });
    for (let i = 2; delivered === undefined && i <= 20; i++) {
      await bob.api.rooms.send({ room: "reset", text: `live ${i}` });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(delivered?.[1].text).toMatch(/^live \d+$/);
    await next;
    await stream.close();
  });

  it("ends with UNAUTHORIZED once the access token has expired", async () => {
    const carol = await h.signUp();
    const stream = await openTracked(carol.api.rooms.onMessage({ room: "expiry", lastEventId: 0 }));
    const next = stream.next();
    clock.advance((h.deps.env.ACCESS_TOKEN_TTL_SECONDS + 1) * 1000);
    const dave = await h.signUp();
    await dave.api.rooms.send({ room: "expiry", text: "too late for carol" });
    expect(await codeOf(next)).toBe("UNAUTHORIZED");
  });
});

describe("rooms.presence", () => {
  it("lists who is in the room, once per user, as they join and leave", async () => {
    const erin = await h.signUp({ name: "Erin" });
    const frank = await h.signUp({ name: "Frank" });
    // Each "connection" is a caller with a signal; dropping it does what a closed socket does to its
    // subscription: abort the signal and stop reading.
    const connect = (user: typeof erin) => {
      const connection = new AbortController();
      const subscription = h
        .caller(user.tokens.accessToken, { signal: connection.signal })
        .rooms.presence({ room: "salon" });
      const events = open(subscription);
      return {
        events,
        drop: async () => {
          connection.abort();
          await (await events).close();
        },
      };
    };
    const names = (event: unknown) => (event as { members: { name: string }[] }).members.map((member) => member.name);

    const erinTab = connect(erin);
    const erinSees = await erinTab.events;
    expect(names(await erinSees.next())).toEqual(["Erin"]);
    const frankTab1 = connect(frank);
    expect(names(await (await frankTab1.events).next())).toEqual(["Erin", "Frank"]);
    expect(names(await erinSees.next())).toEqual(["Erin", "Frank"]);
    const frankTab2 = connect(frank);
    expect(names(await (await frankTab2.events).next())).toEqual(["Erin", "Frank"]);

    await frankTab1.drop();
    await frankTab2.drop();
    // Erin sees an update per connection that left; Frank is gone with his last one.
    let latest = names(await erinSees.next());
    while (latest.includes("Frank")) latest = names(await erinSees.next());
    expect(latest).toEqual(["Erin"]);
    await erinTab.drop();
  });
});

describe("rate limit", () => {
  it("refuses messages past ROOM_SEND_LIMIT per window, per user", async () => {
    const limited = await createHarness({ env: testEnv({ ROOM_SEND_LIMIT: "3" }) });
    try {
      const [greta, hal] = [await limited.signUp(), await limited.signUp()];
      for (let i = 0; i < 3; i++) await greta.api.rooms.send({ room: "r", text: `ok ${i}` });
      expect(await codeOf(greta.api.rooms.send({ room: "r", text: "one too many" }))).toBe("TOO_MANY_REQUESTS");
      expect((await hal.api.rooms.send({ room: "r", text: "mine is fine" })).id).toBe(4);
    } finally {
      await limited.close();
    }
  });
});
