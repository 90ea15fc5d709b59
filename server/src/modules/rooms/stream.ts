import type { Deps } from "../../platform/deps.js";
import type { HandOff, HandOffToken } from "../../platform/events/hand-off.js";
import { createInbox, type Inbox, releaseOnEnd } from "../../platform/events/inbox.js";
import type { AuthUser } from "../../trpc/context.js";
import { openRoomFeed, type RoomFeed } from "./feed.js";
import type { RoomMessage, RoomPresence } from "./schema.js";
import { readMessages } from "./service.js";

const PAGE = 500;

type StreamOptions = {
  room: string;
  lastEventId?: number | null;
  signal?: AbortSignal;
  handOff?: HandOff<RoomMessage>;
};

/**
 * A room's messages for one subscriber: first those after `lastEventId` (if given), then live
 * ones, each exactly once and in order.
 *
 * The live source (the room's feed: ordered, gap-free) is attached *before* this resolves — tRPC
 * sends a subscription's "started" once the resolver returns and reads the generator only after,
 * so a message posted right after "started" is never missed — and before the backlog is read, so
 * a message committed while we read is either in the backlog or queued, and `last` (the id we
 * yielded last) drops the copy.
 *
 * With `handOff` (WebSocket), once caught up, live messages go to the transport's writer instead of
 * being yielded one by one: see platform/events/hand-off.ts.
 */
export async function streamRoomMessages(
  deps: Pick<Deps, "db" | "bus">,
  opts: StreamOptions,
): Promise<AsyncGenerator<RoomMessage | HandOffToken, void>> {
  const signal = opts.signal ?? new AbortController().signal;
  const feed = await openRoomFeed(deps, opts.room);
  const inbox = createInbox<RoomMessage>(signal);
  const detachInbox = feed.subscribe((message) => inbox.push(message));
  const close = releaseOnEnd(signal, () => {
    detachInbox();
    return feed.close();
  });
  return roomMessages(deps, { ...opts, signal }, feed, inbox, detachInbox, close);
}

async function* roomMessages(
  deps: Pick<Deps, "db" | "bus">,
  opts: StreamOptions & { signal: AbortSignal },
  feed: RoomFeed,
  inbox: Inbox<RoomMessage>,
  detachInbox: () => void,
  close: () => Promise<void>,
): AsyncGenerator<RoomMessage | HandOffToken, void> {
  const { signal } = opts;
  let detach = detachInbox;
  try {
    // Never resume beyond the room's end: an id from before a database reset must not hide new messages.
    let last = Math.min(opts.lastEventId ?? feed.end, feed.end);
    while (last < feed.end) {
      const page = await readMessages(deps.db, opts.room, last, undefined, PAGE);
      for (const message of page) {
        yield message;
        last = message.id;
      }
      if (page.length < PAGE) break;
    }

    if (opts.handOff) {
      for (const message of inbox.drain()) {
        if (message.id <= last) continue;
        yield message;
        last = message.id;
      }
      yield opts.handOff.token;
      const write = opts.handOff.take();
      if (write) {
        // Synchronously, so no message slips between the queue and the writer.
        const forward = (message: RoomMessage) => {
          // The backlog may have read past what the feed had delivered: those come again.
          if (message.id <= last) return;
          last = message.id;
          write(message);
        };
        detach();
        for (const message of inbox.drain()) forward(message);
        detach = feed.subscribe(forward);
        await aborted(signal);
        return;
      }
    }

    for await (const message of inbox.items()) {
      if (message.id <= last) continue;
      yield message;
      last = message.id;
    }
  } finally {
    // The hand-off's writer, if it took over from the inbox: `close` detaches only the inbox.
    detach();
    await close();
  }
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/**
 * Puts `user` in the room for as long as the subscription lasts, and yields who is there: the room
 * as they joined it, then the room after every join and leave (from any instance). Ending the
 * subscription — or losing its connection — leaves the room. The user has joined before this
 * resolves, so before the subscription's "started" (see streamRoomMessages).
 */
export async function streamPresence(
  deps: Pick<Deps, "presence">,
  user: AuthUser,
  opts: { room: string; signal?: AbortSignal },
): Promise<AsyncGenerator<RoomPresence, void>> {
  const { room } = opts;
  const signal = opts.signal ?? new AbortController().signal;
  const inbox = createInbox<RoomPresence & { version: number }>(signal);
  const stopWatching = await deps.presence.watch(room, ({ version, members }) =>
    inbox.push({ room, members, version }),
  );
  let membership: Awaited<ReturnType<Deps["presence"]["join"]>>;
  try {
    membership = await deps.presence.join(room, { id: user.id, name: user.name });
  } catch (error) {
    await stopWatching();
    throw error;
  }
  const release = releaseOnEnd(signal, () => membership.leave().finally(stopWatching));
  return presenceFrom(room, membership.snapshot, inbox, release);
}

async function* presenceFrom(
  room: string,
  joined: { version: number; members: RoomPresence["members"] },
  inbox: Inbox<RoomPresence & { version: number }>,
  release: () => Promise<void>,
): AsyncGenerator<RoomPresence, void> {
  try {
    let version = joined.version;
    yield { room, members: joined.members };
    for await (const snapshot of inbox.items()) {
      if (snapshot.version <= version) continue;
      version = snapshot.version;
      yield { room, members: snapshot.members };
    }
  } finally {
    await release();
  }
}
