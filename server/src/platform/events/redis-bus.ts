import type { Redis } from "ioredis";
import superjson from "superjson";
import type { BusMessage, EventBus, SubscribeOptions } from "./event-bus.js";

interface Channel {
  listeners: Set<(message: BusMessage) => void>;
  missed: Set<() => void>;
  /** Settles when Redis has acknowledged SUBSCRIBE for this channel. */
  ready: Promise<unknown>;
}

/**
 * Redis pub/sub: every instance that subscribes to a topic receives what any instance publishes.
 * One SUBSCRIBE per topic per instance, however many local listeners it has, so a room with a
 * thousand subscribers costs Redis one delivery per instance. Payloads travel as superjson.
 */
export function createRedisBus(opts: {
  /** A connection for PUBLISH (shared with other commands). */
  publisher: Redis;
  /** A connection of its own: once it subscribes, Redis accepts nothing else on it. */
  subscriber: Redis;
  prefix: string;
  onError: (error: unknown) => void;
}): EventBus {
  const { publisher, subscriber, prefix } = opts;
  const channels = new Map<string, Channel>();

  subscriber.on("message", (name: string, payload: string) => {
    const channel = channels.get(name);
    if (!channel) return;
    let message: BusMessage;
    try {
      // Frozen: every local listener gets this one object, so none may change it for the others.
      message = deepFreeze(superjson.parse(payload));
    } catch (error) {
      opts.onError(error);
      return;
    }
    for (const listener of channel.listeners) {
      try {
        listener(message);
      } catch (error) {
        opts.onError(error);
      }
    }
  });

  // Pub/sub is fire-and-forget: what was published while we were disconnected is gone. ioredis
  // re-subscribes on reconnect; we tell subscribers so that those with a cursor can catch up.
  let wasDisconnected = false;
  subscriber.on("close", () => {
    wasDisconnected = true;
  });
  subscriber.on("ready", () => {
    if (!wasDisconnected) return;
    wasDisconnected = false;
    for (const channel of channels.values()) for (const onMissed of channel.missed) onMissed();
  });

  return {
    driver: "redis",
    async publish(topic, message) {
      await publisher.publish(prefix + topic, superjson.stringify(message));
    },
    async subscribe(topic, listener, options: SubscribeOptions = {}) {
      const name = prefix + topic;
      let channel = channels.get(name);
      if (!channel) {
        const created: Channel = { listeners: new Set(), missed: new Set(), ready: subscriber.subscribe(name) };
        created.ready.catch(() => {
          if (channels.get(name) === created) channels.delete(name);
        });
        channels.set(name, created);
        channel = created;
      }
      channel.listeners.add(listener);
      if (options.onMissed) channel.missed.add(options.onMissed);
      const current = channel;
      const unsubscribe = async () => {
        current.listeners.delete(listener);
        if (options.onMissed) current.missed.delete(options.onMissed);
        if (current.listeners.size > 0 || channels.get(name) !== current) return;
        channels.delete(name);
        // Commands on one connection run in order, so a SUBSCRIBE issued after this one wins.
        if (subscriber.status === "ready") await subscriber.unsubscribe(name).catch(opts.onError);
      };
      try {
        await current.ready;
      } catch (error) {
        await unsubscribe();
        throw error;
      }
      return unsubscribe;
    },
    async ping() {
      await publisher.ping();
    },
    async close() {
      channels.clear();
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
