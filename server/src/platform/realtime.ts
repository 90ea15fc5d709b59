import type { Env } from "../env.js";
import type { EventBus } from "./events/event-bus.js";
import { createInProcessBus } from "./events/in-process-bus.js";
import { createRedisBus } from "./events/redis-bus.js";
import { createMemoryPresenceStore } from "./presence/memory-store.js";
import { createPresence, type Presence } from "./presence/presence.js";
import { createRedisPresenceStore } from "./presence/redis-store.js";
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from "./rate-limit/rate-limiter.js";

/** What live features share: the event bus, presence and rate limits. */
export interface Realtime {
  bus: EventBus;
  presence: Presence;
  rateLimiter: RateLimiter;
  close(): Promise<void>;
}

/**
 * In process by default; with `REDIS_URL`, all three live in Redis so that several instances act
 * as one. Two Redis connections per instance: one for commands, one for subscriptions.
 * `bus` replaces the bus (tests), and presence then publishes on it. ioredis is loaded only then: ~2 MiB
 * of heap that a server without Redis would carry for nothing (the Redis drivers import only its types).
 */
export async function openRealtime(
  env: Env,
  opts: { bus?: EventBus; onError?: (error: unknown) => void } = {},
): Promise<Realtime> {
  const onError = opts.onError ?? (() => {});
  const tickMs = Math.max(500, Math.floor((env.PRESENCE_TTL_SECONDS * 1000) / 3));

  if (!env.REDIS_URL) {
    const bus = opts.bus ?? createInProcessBus();
    const presence = createPresence({ store: createMemoryPresenceStore(), bus, tickMs, onError });
    return {
      bus,
      presence,
      rateLimiter: createMemoryRateLimiter(),
      async close() {
        await presence.close();
        if (!opts.bus) await bus.close();
      },
    };
  }

  const { connectRedis, disconnectRedis } = await import("./redis.js");
  const commands = connectRedis(env.REDIS_URL, "trellis", onError);
  const subscriber = connectRedis(env.REDIS_URL, "trellis-subscriber", onError);
  const prefix = env.REDIS_KEY_PREFIX;
  const bus = opts.bus ?? createRedisBus({ publisher: commands, subscriber, prefix, onError });
  const store = createRedisPresenceStore({ redis: commands, prefix, ttlMs: env.PRESENCE_TTL_SECONDS * 1000 });
  const presence = createPresence({ store, bus, tickMs, onError });
  return {
    bus,
    presence,
    rateLimiter: createRedisRateLimiter({ redis: commands, prefix }),
    async close() {
      await presence.close();
      await bus.close();
      await Promise.all([disconnectRedis(subscriber), disconnectRedis(commands)]);
    },
  };
}
