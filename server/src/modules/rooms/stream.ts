import { createInbox } from "../../platform/events/inbox.js";
import type { Deps } from "../../platform/deps.js";
import type { AuthUser } from "../../trpc/context.js";
import { lastMessageId, readMessages, roomTopic } from "./service.js";
import type { RoomMessage, RoomPresence } from "./schema.js";

const PAGE = 500;
const MISSED = Symbol("missed");

/**
 * A room's messages for one subscriber: first those after `lastEventId` (if given), then live
 * ones, each exactly once and in order.
 *
 * The live source is subscribed *before* the backlog is read, so a message committed while we read
 * is either in the backlog or in the inbox, and `next` (the id we expect) drops the copy. Ids have
 * no gaps (see sendMessage), so a live message beyond `next` means others are late or were lost
 * (say, Redis was briefly away): we read them from the database before going on.
 */
export async function* streamRoomMessages(
  deps: Pick<Deps, "db" | "bus">,
  opts: { room: string; lastEventId?: number | null; signal?: AbortSignal },
): AsyncGenerator<RoomMessage, void> {
  const { db, bus } = deps;
  const { room } = opts;
  const inbox = createInbox<RoomMessage | typeof MISSED>(opts.signal ?? new AbortController().signal);
  const unsubscribe = await bus.subscribe(roomTopic(room), (message) => inbox.push(message as RoomMessage), {
    onMissed: () => inbox.push(MISSED),
  });
  try {
    const last = await lastMessageId(db, room);
    // Never resume beyond the room's end: an id from before a database reset must not hide new messages.
    let next = Math.min(opts.lastEventId ?? last, last) + 1;

    /** Everything from `next` up to (not including) `before`, page by page. */
    async function* catchUp(before?: number) {
      while (true) {
        const page = await readMessages(db, room, next - 1, before, PAGE);
        for (const message of page) {
          yield message;
          next = message.id + 1;
        }
        if (page.length < PAGE) return;
      }
    }

    yield* catchUp();
    for await (const item of inbox.items()) {
      if (item === MISSED) {
        yield* catchUp();
        continue;
      }
      if (item.id < next) continue;
      if (item.id > next) yield* catchUp(item.id);
      yield item;
      next = item.id + 1;
    }
  } finally {
    await unsubscribe();
  }
}

/**
 * Puts `user` in the room for as long as the subscription lasts, and yields who is there: the room
 * as they joined it, then the room after every join and leave (from any instance). Ending the
 * subscription — or losing its connection — leaves the room.
 */
export async function* streamPresence(
  deps: Pick<Deps, "presence">,
  user: AuthUser,
  opts: { room: string; signal?: AbortSignal },
): AsyncGenerator<RoomPresence, void> {
  const { room } = opts;
  const inbox = createInbox<RoomPresence & { version: number }>(opts.signal ?? new AbortController().signal);
  const stopWatching = await deps.presence.watch(room, ({ version, members }) => inbox.push({ room, members, version }));
  let membership: Awaited<ReturnType<Deps["presence"]["join"]>> | undefined;
  try {
    membership = await deps.presence.join(room, { id: user.id, name: user.name });
    let version = membership.snapshot.version;
    yield { room, members: membership.snapshot.members };
    for await (const snapshot of inbox.items()) {
      if (snapshot.version <= version) continue;
      version = snapshot.version;
      yield { room, members: snapshot.members };
    }
  } finally {
    await membership?.leave();
    await stopWatching();
  }
}
