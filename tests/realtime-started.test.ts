import { closeClient } from "@trellis/client";
import type { Deps } from "@trellis/server/app";
import { createInProcessBus } from "@trellis/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Message, recorder, type Tracked } from "./support/live.js";
import { startWithTwoUsers, type TestServer, type TwoUsers } from "./support/server.js";

/**
 * The in-process bus, each subscription live only 300 ms after it is asked for: as a Redis SUBSCRIBE
 * on a busy server, or a room's first read of its end, takes its time.
 */
function slowSubscribingBus(): Deps["bus"] {
  const bus = createInProcessBus();
  return {
    driver: bus.driver,
    publish: (topic, message) => bus.publish(topic, message),
    async subscribe(topic, listener, options) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return bus.subscribe(topic, listener, options);
    },
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}

let api: TestServer;
let alice: TwoUsers["alice"];
let bob: TwoUsers["bob"];
beforeAll(async () => {
  ({ api, alice, bob } = await startWithTwoUsers({}, { bus: slowSubscribingBus() }));
});
afterAll(() => api?.stop());

// A client that sees "started" and at once acts must see what its action causes: the subscription is
// attached before the server says it has started, however long attaching takes.
describe.each(["websocket", "sse"] as const)("a subscription is live once started (%s)", (subscriptions) => {
  it("a room message posted right after 'started' arrives", async () => {
    const client = api.client(alice.tokens.accessToken, { subscriptions });
    const seen = recorder<Tracked<Message>>();
    const sub = client.rooms.onMessage.subscribe({ room: `started-${subscriptions}` }, seen.handlers);
    await seen.until(() => seen.starts > 0, "subscription started");
    const sent = await api.rest("POST", `/v1/rooms/started-${subscriptions}/messages`, {
      token: bob.tokens.accessToken,
      body: { text: "right after started" },
    });
    expect(sent.status).toBe(201);
    await seen.until(() => seen.events.length === 1, "the message");
    expect(seen.events[0]?.data.text).toBe("right after started");
    sub.unsubscribe();
    await closeClient(client);
  });

  it("a user is in the room once their presence subscription has started, and gone once it ends", async () => {
    const room = `here-${subscriptions}`;
    const client = api.client(alice.tokens.accessToken, { subscriptions });
    const seen = recorder<{ members: { id: number }[] }>();
    const sub = client.rooms.presence.subscribe({ room }, seen.handlers);
    await seen.until(() => seen.starts > 0, "subscription started");
    // What anyone looking at the room sees at that moment (the same store every snapshot comes from).
    const { members } = await api.server.deps.presence.snapshot(room);
    expect(members.map((member) => member.id)).toEqual([alice.user.id]);
    sub.unsubscribe();
    await eventually(
      async () => (await api.server.deps.presence.snapshot(room)).members.length === 0,
      "alice has left",
    );
    await closeClient(client);
  });

  it("an item created right after 'started' arrives as a change", async () => {
    const client = api.client(alice.tokens.accessToken, { subscriptions });
    const changes = recorder<{ type: string; item: { title: string } }>();
    const sub = client.items.onChange.subscribe(undefined, changes.handlers);
    await changes.until(() => changes.starts > 0, "subscription started");
    const created = await api.rest("POST", "/v1/items", {
      token: alice.tokens.accessToken,
      body: { title: `Right after started (${subscriptions})` },
    });
    expect(created.status).toBe(201);
    await changes.until(() => changes.events.length === 1, "the change");
    expect(changes.events[0]).toMatchObject({
      type: "created",
      item: { title: `Right after started (${subscriptions})` },
    });
    sub.unsubscribe();
    await closeClient(client);
  });
});
