import { Redis } from "ioredis";

/**
 * A Redis connection that reconnects on its own (ioredis retries forever, backing off to 2 s) and
 * re-subscribes its channels when it is back. Commands issued while it is down wait in its queue
 * rather than fail, up to `maxRetriesPerRequest` reconnection attempts.
 */
export function connectRedis(url: string, name: string, onError: (error: Error) => void): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 3,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Without a listener ioredis prints every failed reconnection attempt to stderr.
  redis.on("error", onError);
  return redis;
}

/** Closes politely (QUIT), or drops the connection if Redis does not answer. */
export async function disconnectRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  try {
    await Promise.race([redis.quit(), new Promise((_, reject) => setTimeout(reject, 1000).unref())]);
  } catch {
    redis.disconnect();
  }
}
