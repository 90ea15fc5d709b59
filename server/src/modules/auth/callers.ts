import type { Role } from "../../generated/prisma/enums.js";
import { setBounded } from "../../platform/bounded-map.js";
import type { Clock } from "../../platform/clock.js";
import type { PrismaDb } from "../../platform/db/index.js";
import type { EventBus } from "../../platform/events/event-bus.js";

/** The caller, as authenticated procedures see it in `ctx.user`. */
export interface AuthUser {
  id: number;
  email: string;
  name: string;
  role: Role;
}

/**
 * Who is behind a user id, for authentication. Reading the user on every request cost a database
 * round trip per call (about a third of a list request), so recent callers are remembered:
 *  - a change made through the app (deletion, rename) calls `forget`, which evicts the entry on every
 *    instance through the event bus before the change is answered;
 *  - administrators are never remembered: a demotion made in the database applies to the next request;
 *  - any other change made behind the app's back (SQL) applies within `ttlMs`.
 * Hand-written rather than an LRU package: it needs eviction across instances and in-flight loads
 * that a concurrent `forget` must outrank, which is most of its code.
 */
export interface Callers {
  /** The user, or null when there is none with this id. */
  find(id: number): Promise<AuthUser | null>;
  /** Drops what any instance remembers of this user; call it after changing or deleting one. */
  forget(id: number): Promise<void>;
  close(): Promise<void>;
}

const TOPIC = "users.changed";

interface Entry {
  user: AuthUser;
  expiresAt: number;
}

export async function openCallers(opts: {
  db: PrismaDb;
  bus: EventBus;
  clock: Clock;
  /** 0 turns remembering off: every request reads the user. */
  ttlMs: number;
  maxEntries?: number;
}): Promise<Callers> {
  const { db, bus, clock, ttlMs } = opts;
  const maxEntries = opts.maxEntries ?? 10_000;
  const entries = new Map<number, Entry>();
  // Bumped by every forget: a load that started before one must not store what it read.
  let forgets = 0;
  const inFlight = new Map<number, Promise<AuthUser | null>>();

  const evict = (id: number) => {
    entries.delete(id);
    inFlight.delete(id);
    forgets++;
  };
  const unsubscribe = await bus.subscribe(TOPIC, (message) => {
    const id = (message as { id?: unknown }).id;
    if (typeof id === "number") evict(id);
  });

  const load = async (id: number): Promise<AuthUser | null> => {
    const forgetsBefore = forgets;
    const user = await db.user.findUnique({
      where: { id },
      select: { id: true, email: true, name: true, role: true },
    });
    if (user && user.role !== "admin" && ttlMs > 0 && forgets === forgetsBefore) store(id, user);
    return user;
  };

  const store = (id: number, user: AuthUser) =>
    setBounded(entries, id, { user, expiresAt: clock.now().getTime() + ttlMs }, maxEntries);

  return {
    find(id) {
      const entry = entries.get(id);
      if (entry && entry.expiresAt > clock.now().getTime()) return Promise.resolve(entry.user);
      if (entry) entries.delete(id);
      // Fifty requests of one caller arriving together make one query, not fifty.
      let pending = inFlight.get(id);
      if (!pending) {
        pending = load(id).finally(() => {
          if (inFlight.get(id) === pending) inFlight.delete(id);
        });
        inFlight.set(id, pending);
      }
      return pending;
    },
    async forget(id) {
      evict(id);
      await bus.publish(TOPIC, { id });
    },
    close: () => unsubscribe(),
  };
}
