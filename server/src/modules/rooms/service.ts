import { AppError } from "../../errors.js";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../../platform/deps.js";
import type { AuthUser } from "../../trpc/context.js";
import { messageSelect, type RoomMessage } from "./schema.js";

type Row = Prisma.RoomMessageGetPayload<{ select: typeof messageSelect }>;
type Db = Deps["db"];

/** Topic of a room's new messages on the bus. */
export const roomTopic = (room: string) => `rooms:${room}:messages`;

/**
 * Messages are frozen: one object goes to every subscriber, and a frozen one is serialised once for
 * all of them (trpc/transformer.ts).
 */
const frozenMessage = (message: RoomMessage): RoomMessage =>
  Object.freeze({ ...message, author: Object.freeze({ ...message.author }) });

const toMessage = (row: Row): RoomMessage =>
  frozenMessage({ id: row.seq, room: row.roomName, text: row.text, author: row.author, createdAt: row.createdAt });

/**
 * Stores a message under the room's next number and publishes it to every subscriber.
 *
 * One statement, run as its own transaction: it bumps the room's counter (creating the room on its
 * first message) and inserts the message under the new number. The counter's row stays locked until
 * that commit, so numbers follow commit order (see prisma/schema.prisma), which is what lets
 * subscribers detect and refill gaps. A single round trip keeps the lock short: an interactive
 * Prisma transaction (upsert, create, commit) held it for three and capped a room near 80 messages/s.
 */
export async function sendMessage(
  deps: Pick<Deps, "db" | "bus" | "env" | "rateLimiter">,
  author: AuthUser,
  input: { room: string; text: string },
): Promise<RoomMessage> {
  const { ROOM_SEND_LIMIT: limit, ROOM_SEND_WINDOW_SECONDS: window } = deps.env;
  const rate = await deps.rateLimiter.hit(`rooms:send:${author.id}`, limit, window * 1000);
  if (!rate.allowed) {
    const wait = Math.ceil(rate.retryAfterMs / 1000);
    throw new AppError("TOO_MANY_REQUESTS", `At most ${limit} messages per ${window} s: try again in ${wait} s`);
  }
  const [row] = await deps.db.$queryRaw<{ seq: number; createdAt: Date }[]>`
    WITH room AS (
      INSERT INTO "Room" ("name", "lastSeq") VALUES (${input.room}, 1)
      ON CONFLICT ("name") DO UPDATE SET "lastSeq" = "Room"."lastSeq" + 1
      RETURNING "lastSeq"
    )
    INSERT INTO "RoomMessage" ("roomName", "seq", "text", "authorId")
    SELECT ${input.room}, "lastSeq", ${input.text}, ${author.id} FROM room
    RETURNING "seq", "createdAt"`;
  if (!row) throw new AppError("INTERNAL", "The message was not stored");
  const message = frozenMessage({
    id: row.seq,
    room: input.room,
    text: input.text,
    author: { id: author.id, name: author.name },
    createdAt: row.createdAt,
  });
  // Stored is sent: failing the request now would make the client send it twice. A subscriber that
  // missed this publish reads the message back when the next one shows the gap, or on reconnect.
  await deps.bus.publish(roomTopic(input.room), message).catch(() => undefined);
  return message;
}

/** A page of messages, oldest first: the latest ones, or those after `after`. */
export async function roomHistory(
  { db }: Pick<Deps, "db">,
  query: { room: string; after?: number; limit: number },
): Promise<{ items: RoomMessage[] }> {
  if (query.after === undefined) {
    const latest = await db.roomMessage.findMany({
      where: { roomName: query.room },
      orderBy: { seq: "desc" },
      take: query.limit,
      select: messageSelect,
    });
    return { items: latest.reverse().map(toMessage) };
  }
  return { items: await readMessages(db, query.room, query.after, undefined, query.limit) };
}

/** The room's last message number; 0 for a room with none. */
export async function lastMessageId(db: Db, room: string): Promise<number> {
  const found = await db.room.findUnique({ where: { name: room }, select: { lastSeq: true } });
  return found?.lastSeq ?? 0;
}

const inFlight = new WeakMap<Db, Map<string, Promise<RoomMessage[]>>>();

/**
 * Messages with `after < id < before`, oldest first. Subscribers of one instance that notice the
 * same gap at the same moment share one query instead of each sending their own.
 */
export function readMessages(db: Db, room: string, after: number, before: number | undefined, limit: number) {
  let reads = inFlight.get(db);
  if (!reads) {
    reads = new Map();
    inFlight.set(db, reads);
  }
  const key = `${room}\u0000${after}\u0000${before}\u0000${limit}`;
  const pending = reads.get(key);
  if (pending) return pending;
  const read = db.roomMessage
    .findMany({
      where: { roomName: room, seq: { gt: after, ...(before === undefined ? {} : { lt: before }) } },
      orderBy: { seq: "asc" },
      take: limit,
      select: messageSelect,
    })
    .then((rows) => rows.map(toMessage))
    .finally(() => reads.delete(key));
  reads.set(key, read);
  return read;
}
