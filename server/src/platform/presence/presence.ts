import { randomUUID } from "node:crypto";
import type { EventBus } from "../events/event-bus.js";

/** A user present in a space (a room), however many connections they have open there. */
export interface PresenceMember {
  id: number;
  name: string;
}

/** Everyone in a space. `version` grows with every change, so a late, older snapshot can be ignored. */
export interface PresenceSnapshot {
  version: number;
  members: PresenceMember[];
}

/**
 * Where presence is kept: this process's memory, or Redis shared by every instance. Each entry
 * is one connection; snapshots list each user once.
 */
export interface PresenceStore {
  add(space: string, connectionId: string, member: PresenceMember): Promise<PresenceSnapshot>;
  remove(space: string, connectionId: string): Promise<PresenceSnapshot>;
  snapshot(space: string): Promise<PresenceSnapshot>;
  /** Drops connections whose instance stopped refreshing them; the new snapshot, or null if none were dropped. */
  expire(space: string): Promise<PresenceSnapshot | null>;
  /** Tells the store this instance's connections are still alive. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface Presence {
  /** Adds one connection of `member` to `space` until `leave()`; the snapshot right after joining. */
  join(space: string, member: PresenceMember): Promise<{ snapshot: PresenceSnapshot; leave(): Promise<void> }>;
  /** Calls `listener` with every newer snapshot of `space`, from any instance; returns the stop function. */
  watch(space: string, listener: (snapshot: PresenceSnapshot) => void): Promise<() => Promise<void>>;
  snapshot(space: string): Promise<PresenceSnapshot>;
  close(): Promise<void>;
}

const topicOf = (space: string) => `presence:${space}`;

/**
 * Presence on top of a store and the event bus: every join and leave publishes the new snapshot.
 * A timer refreshes this instance's connections in the store and, for every space someone here
 * watches, expires the connections of instances that died without leaving (Redis TTL).
 */
export function createPresence(opts: {
  store: PresenceStore;
  bus: EventBus;
  /** How often to refresh and expire; a third of the store's TTL. */
  tickMs: number;
  onError: (error: unknown) => void;
}): Presence {
  const { store, bus } = opts;
  const watched = new Map<string, number>();
  /** The `leave` of every connection joined here and still present. */
  const present = new Set<() => Promise<void>>();
  const publish = (space: string, snapshot: PresenceSnapshot) => bus.publish(topicOf(space), snapshot);

  const tick = async () => {
    await store.refresh();
    for (const space of watched.keys()) {
      const snapshot = await store.expire(space);
      if (snapshot) await publish(space, snapshot);
    }
  };
  const timer = setInterval(() => tick().catch(opts.onError), opts.tickMs);
  timer.unref();

  return {
    async join(space, member) {
      const connectionId = randomUUID();
      const snapshot = await store.add(space, connectionId, member);
      await publish(space, snapshot);
      let left: Promise<void> | undefined;
      const leave = () => {
        present.delete(leave);
        left ??= store.remove(space, connectionId).then((after) => publish(space, after));
        return left;
      };
      present.add(leave);
      return { snapshot, leave };
    },
    async watch(space, listener) {
      let seen = -1;
      const unsubscribe = await bus.subscribe(topicOf(space), (message) => {
        const snapshot = message as PresenceSnapshot;
        if (snapshot.version <= seen) return;
        seen = snapshot.version;
        listener(snapshot);
      });
      watched.set(space, (watched.get(space) ?? 0) + 1);
      return async () => {
        const count = (watched.get(space) ?? 1) - 1;
        if (count === 0) watched.delete(space);
        else watched.set(space, count);
        await unsubscribe();
      };
    },
    snapshot: (space) => store.snapshot(space),
    async close() {
      clearInterval(timer);
      // A clean shutdown says goodbye at once rather than leaving others to wait for the TTL.
      await Promise.allSettled([...present].map((leave) => leave()));
      await store.close();
    },
  };
}

/** One entry per user, in a stable order: by name, then id. */
export function distinctMembers(members: Iterable<PresenceMember>): PresenceMember[] {
  const byId = new Map<number, PresenceMember>();
  for (const member of members) byId.set(member.id, { id: member.id, name: member.name });
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}
