import type { Redis } from "ioredis";

export interface RateLimitResult {
  allowed: boolean;
  /** How long until the window resets and the key may act again. */
  retryAfterMs: number;
}

/** Fixed-window counters: at most `limit` hits per `windowMs` for each key. */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
}

/** Counts in this process: right for one instance, per-instance with several. */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async hit(key, limit, windowMs) {
      const at = now();
      let window = windows.get(key);
      if (!window || window.resetAt <= at) {
        if (windows.size > 10_000) {
          for (const [other, { resetAt }] of windows) if (resetAt <= at) windows.delete(other);
        }
        window = { count: 0, resetAt: at + windowMs };
        windows.set(key, window);
      }
      window.count++;
      return { allowed: window.count <= limit, retryAfterMs: window.resetAt - at };
    },
  };
}

/** Counts in Redis, so a user's limit holds across every instance they reach. */
export function createRedisRateLimiter(opts: { redis: Redis; prefix: string }): RateLimiter {
  return {
    async hit(key, limit, windowMs) {
      const name = `${opts.prefix}rate:${key}`;
      // SET NX starts a window only if none is running; INCR counts; PTTL says when it ends.
      const replies = await opts.redis.multi().set(name, 0, "PX", windowMs, "NX").incr(name).pttl(name).exec();
      if (!replies) throw new Error("Redis aborted the rate-limit transaction");
      for (const [error] of replies) if (error) throw error;
      const count = Number(replies[1]?.[1]);
      const ttl = Number(replies[2]?.[1]);
      return { allowed: count <= limit, retryAfterMs: ttl > 0 ? ttl : windowMs };
    },
  };
}
