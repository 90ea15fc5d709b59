import { AppError } from "../../errors.js";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../../platform/deps.js";
import type { AuthUser } from "../../trpc/context.js";
import { messageSelect, type RoomMessage } from "./schema.js";

type Row = Prisma.RoomMessageGetPayload<{ select: typeof messageSelect }>;
type Db = Deps["db"];

/** Topic of a room's new messages on the bus. */
export const roomTopic = (room: string) => `rooms:${room}:messages`;

const toMessage = (row: Row): RoomMessage => ({
  id: row.seq,
  room: row.roomName,
  text: row.text,
  author: row.author,
  createdAt: row.createdAt,
});

/**
 * Stores a message under the room's next number and publishes it to every subscriber.
 * The upsert locks the room's row until the transaction commits, so numbers follow commit order
 * (see prisma/schema.prisma), which is what lets subscribers detect and refill gaps.
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
  const row = await deps.db.$transaction(async (tx) => {
    const { lastSeq } = await tx.room.upsert({
      where: { name: input.room },
      create: { name: input.room, lastSeq: 1 },
      update: { lastSeq: { increment: 1 } },
      select: { lastSeq: true },
    });
    return tx.roomMessage.create({
      data: { roomName: input.room, seq: lastSeq, text: input.text, authorId: author.id },
      select: messageSelect,
    });
  });
  const message = toMessage(row);
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
  if (!reads) inFlight.set(db, (reads = new Map()));
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
