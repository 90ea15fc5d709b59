import type { Deps } from "../../platform/deps.js";
import type { EventBus } from "../../platform/events/event-bus.js";
import type { RoomMessage } from "./schema.js";
import { lastMessageId, readMessages, roomTopic } from "./service.js";

const PAGE = 500;
const RETRY_MS = 1000;

/** A room's messages on this instance: in order, each once, without gaps. */
export interface RoomFeed {
  /** The id of the last message delivered (or in the room when the feed opened). */
  readonly end: number;
  /** Calls `listener` synchronously with every later message, in id order; returns the detach function. */
  subscribe(listener: (message: RoomMessage) => void): () => void;
  close(): Promise<void>;
}

interface State {
  next: number;
  listeners: Set<(message: RoomMessage) => void>;
  refs: number;
  ready: Promise<void>;
  close(): Promise<void>;
}

const feedsByBus = new WeakMap<EventBus, Map<string, State>>();

/**
 * Opens the room's feed, shared by every subscriber of the room on this instance: one bus
 * subscription, and one place that puts messages in order. Ids have no gaps (see sendMessage), so a
 * message beyond the next expected id means others are late or were lost (Redis was away, say):
 * the feed reads them from the database — once for the room, not once per subscriber — and delivers
 * them first. Messages at or below the next expected id are copies and are dropped.
 */
export async function openRoomFeed(deps: Pick<Deps, "db" | "bus">, room: string): Promise<RoomFeed> {
  let feeds = feedsByBus.get(deps.bus);
  if (!feeds) {
    feeds = new Map();
    feedsByBus.set(deps.bus, feeds);
  }
  let state = feeds.get(room);
  if (!state) {
    state = createState(deps, room, () => feeds.delete(room));
    feeds.set(room, state);
  }
  state.refs++;
  const current = state;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (--current.refs === 0) await current.close();
  };
  try {
    await current.ready;
  } catch (error) {
    await close();
    throw error;
  }
  return {
    get end() {
      return current.next - 1;
    },
    subscribe(listener) {
      current.listeners.add(listener);
      return () => current.listeners.delete(listener);
    },
    close,
  };
}

function createState(deps: Pick<Deps, "db" | "bus">, room: string, forget: () => void): State {
  const queue: RoomMessage[] = [];
  let started = false;
  let busy = false;
  let missed = false;
  let unsubscribe: (() => Promise<void>) | undefined;
  let retry: NodeJS.Timeout | undefined;

  const state: State = {
    next: 1,
    listeners: new Set(),
    refs: 0,
    ready: Promise.resolve(),
    async close() {
      forget();
      clearTimeout(retry);
      await unsubscribe?.();
    },
  };

  const deliver = (message: RoomMessage) => {
    state.next = message.id + 1;
    for (const listener of state.listeners) listener(message);
  };

  /** Delivers what the database has from `next` on, below `before` if given. */
  const refill = async (before?: number) => {
    while (true) {
      const page = await readMessages(deps.db, room, state.next - 1, before, PAGE);
      for (const message of page) if (message.id >= state.next) deliver(message);
      if (page.length < PAGE) return;
    }
  };

  // One pass at a time, so messages leave in order even while a refill waits for the database.
  const work = async () => {
    if (busy || !started) return;
    busy = true;
    try {
      while (missed || queue.length > 0) {
        if (missed) {
          missed = false;
          await refill();
          continue;
        }
        queue.sort((a, b) => a.id - b.id);
        const message = queue[0] as RoomMessage;
        if (message.id > state.next) await refill(message.id);
        queue.shift();
        // Not below: a refill may have found fewer messages than the gap (some deleted with their author).
        if (message.id >= state.next) deliver(message);
      }
    } catch {
      // The database did not answer: keep what is queued and try again shortly.
      retry = setTimeout(() => void work(), RETRY_MS);
    } finally {
      busy = false;
    }
  };

  // Messages that arrive in the same turn of the event loop are delivered together in the next:
  // subscribers' sockets then write them in one go (http/trpc-ws.ts).
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void work();
    });
  };

  state.ready = (async () => {
    unsubscribe = await deps.bus.subscribe(
      roomTopic(room),
      (message) => {
        queue.push(message as RoomMessage);
        schedule();
      },
      {
        onMissed: () => {
          missed = true;
          void work();
        },
      },
    );
    // Subscribed first, then asked where the room stands: what is published meanwhile waits in the queue.
    state.next = (await lastMessageId(deps.db, room)) + 1;
    started = true;
    void work();
  })();
  state.ready.catch(() => undefined);
  return state;
}
