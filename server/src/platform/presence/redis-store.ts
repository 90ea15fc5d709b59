import type { ChainableCommander, Redis } from "ioredis";
import { distinctMembers, type PresenceMember, type PresenceSnapshot, type PresenceStore } from "./presence.js";

/**
 * Presence shared by every instance. Per space, three keys:
 * - `…:conns`, a sorted set of connection ids scored by when they expire;
 * - `…:members`, a hash from connection id to the member (JSON);
 * - `…:version`, a counter bumped on every change, so watchers can drop out-of-order snapshots.
 * Each instance pushes its own connections' expiry forward on every `refresh()`. If it crashes,
 * they expire after `ttlMs` and the next `expire()` — run by any instance watching the space —
 * removes them. A change and the snapshot it returns run in one MULTI, so they agree.
 * The three keys of a space expire `2 × ttlMs` after the last change or refresh: a space nobody
 * is in any more (or whose every instance crashed) leaves nothing behind in Redis.
 */
export function createRedisPresenceStore(opts: { redis: Redis; prefix: string; ttlMs: number }): PresenceStore {
  const { redis, ttlMs } = opts;
  const keys = (space: string) => {
    const base = `${opts.prefix}presence:${space}`;
    return { conns: `${base}:conns`, members: `${base}:members`, version: `${base}:version` };
  };
  const keyTtlMs = 2 * ttlMs;
  /** Appends "keep this space's keys for a while" to a MULTI or pipeline. */
  const keepKeys = (commands: ChainableCommander, space: string) => {
    const k = keys(space);
    return commands.pexpire(k.conns, keyTtlMs).pexpire(k.members, keyTtlMs).pexpire(k.version, keyTtlMs);
  };
  /** This instance's connections, which it keeps alive. */
  const local = new Map<string, Set<string>>();

  /** Appends the reads a snapshot needs to a MULTI; `readSnapshot` decodes their replies. */
  const queueSnapshot = (multi: ChainableCommander, space: string) => {
    const k = keys(space);
    return multi.get(k.version).zrangebyscore(k.conns, Date.now(), "+inf").hgetall(k.members);
  };
  const readSnapshot = (replies: [Error | null, unknown][] | null): PresenceSnapshot => {
    if (!replies) throw new Error("Redis aborted the presence transaction");
    for (const [error] of replies) if (error) throw error;
    const [version, live, members] = replies.slice(-3).map(([, value]) => value) as [
      string | null,
      string[],
      Record<string, string>,
    ];
    const present = live.flatMap((id) => (members[id] ? [JSON.parse(members[id]) as PresenceMember] : []));
    return { version: Number(version ?? 0), members: distinctMembers(present) };
  };

  return {
    async add(space, connectionId, member) {
      const k = keys(space);
      let ids = local.get(space);
      if (!ids) {
        ids = new Set();
        local.set(space, ids);
      }
      ids.add(connectionId);
      const multi = redis
        .multi()
        .zadd(k.conns, Date.now() + ttlMs, connectionId)
        .hset(k.members, connectionId, JSON.stringify(member))
        .incr(k.version);
      return readSnapshot(await queueSnapshot(keepKeys(multi, space), space).exec());
    },
    async remove(space, connectionId) {
      const k = keys(space);
      local.get(space)?.delete(connectionId);
      if (local.get(space)?.size === 0) local.delete(space);
      const multi = redis.multi().zrem(k.conns, connectionId).hdel(k.members, connectionId).incr(k.version);
      return readSnapshot(await queueSnapshot(keepKeys(multi, space), space).exec());
    },
    async snapshot(space) {
      return readSnapshot(await queueSnapshot(redis.multi(), space).exec());
    },
    async expire(space) {
      const k = keys(space);
      const dead = await redis.zrangebyscore(k.conns, "-inf", Date.now());
      if (dead.length === 0) return null;
      const multi = redis
        .multi()
        .zrem(k.conns, ...dead)
        .hdel(k.members, ...dead)
        .incr(k.version);
      return readSnapshot(await queueSnapshot(keepKeys(multi, space), space).exec());
    },
    async refresh() {
      if (local.size === 0) return;
      const expiresAt = Date.now() + ttlMs;
      const pipeline = redis.pipeline();
      for (const [space, ids] of local) {
        // XX: only push forward connections still there; one removed meanwhile stays removed.
        for (const id of ids) pipeline.zadd(keys(space).conns, "XX", expiresAt, id);
        keepKeys(pipeline, space);
      }
      await pipeline.exec();
    },
    async close() {
      local.clear();
    },
  };
}
