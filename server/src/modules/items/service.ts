import { AppError, notFound } from "../../errors.js";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../../platform/deps.js";
import { createInbox, type Inbox, releaseOnEnd } from "../../platform/events/inbox.js";
import type { AuthUser } from "../../trpc/context.js";
import { itemPageStatement, itemTotalStatement, type ListItemsQuery } from "./list-query.js";
import { type ItemChange, itemSelect } from "./schema.js";

type Row = Prisma.ItemGetPayload<{ select: typeof itemSelect }>;
type ItemDeps = Pick<Deps, "db" | "bus">;

/** NUMERIC comes back as a Decimal; the wire carries a plain number (2 decimals fit a double exactly enough). */
const toItem = (row: Row) => ({ ...row, price: row.price === null ? null : row.price.toNumber() });
type Item = ReturnType<typeof toItem>;

/** Topic of the change events of one owner's items (`items.onChange`). */
export const itemChangesTopic = (ownerId: number) => `items:owner:${ownerId}`;

async function publishChange(bus: Deps["bus"], change: ItemChange) {
  await bus.publish(itemChangesTopic(change.item.ownerId), change);
}

/**
 * A page of items and how many match. Written as SQL through the driver adapter (`deps.sql`), not Prisma's
 * `findMany`: every list request pays for this read, and through Prisma's client it was ~60% of its CPU
 * (BENCHMARKS.md, "List reads through the driver adapter"). list-query.ts builds the statements.
 */
export async function listItems({ sql }: Pick<Deps, "sql">, query: ListItemsQuery) {
  const page = await sql.page<Item>(itemPageStatement(query));
  // An empty first page means nothing matches; an empty page further on may lie past the end, so count.
  const total = page.total ?? (query.skip === 0 ? 0 : await countItems(sql, query));
  return { items: page.rows, total, skip: query.skip, limit: query.limit };
}

async function countItems(sql: Deps["sql"], query: ListItemsQuery): Promise<number> {
  const [counted] = await sql.rows<{ total: number }>(itemTotalStatement(query));
  return counted?.total ?? 0;
}

export async function getItem({ db }: Pick<Deps, "db">, id: number) {
  const row = await db.item.findUnique({ where: { id }, select: itemSelect });
  if (!row) throw notFound("Item", id);
  return toItem(row);
}

export async function createItem(
  { db, bus }: ItemDeps,
  owner: AuthUser,
  input: { title: string; description?: string | null; price?: number | null },
) {
  const item = toItem(await db.item.create({ data: { ...input, ownerId: owner.id }, select: itemSelect }));
  await publishChange(bus, { type: "created", item });
  return item;
}

/** Only the owner may change an item; admins may change any (moderation). */
async function assertCanModify({ db }: Pick<Deps, "db">, actor: AuthUser, id: number) {
  const item = await db.item.findUnique({ where: { id }, select: { ownerId: true } });
  if (!item) throw notFound("Item", id);
  if (item.ownerId !== actor.id && actor.role !== "admin") {
    throw new AppError("FORBIDDEN", `Item ${id} belongs to another user`);
  }
}

export async function updateItem(
  deps: ItemDeps,
  actor: AuthUser,
  { id, ...changes }: { id: number; title?: string; description?: string | null; price?: number | null },
) {
  await assertCanModify(deps, actor, id);
  const item = toItem(await deps.db.item.update({ where: { id }, data: changes, select: itemSelect }));
  await publishChange(deps.bus, { type: "updated", item });
  return item;
}

export async function deleteItem(deps: ItemDeps, actor: AuthUser, id: number) {
  await assertCanModify(deps, actor, id);
  const item = toItem(await deps.db.item.delete({ where: { id }, select: itemSelect }));
  await publishChange(deps.bus, { type: "deleted", item });
}

/**
 * The change events of the caller's items, from the moment this resolves until `signal` aborts. It
 * subscribes before it resolves: tRPC sends a subscription's "started" once the resolver returns and
 * reads the generator only after, so a change made right after "started" is never missed.
 */
export async function streamItemChanges(
  { bus }: Pick<Deps, "bus">,
  owner: AuthUser,
  signal = new AbortController().signal,
): Promise<AsyncGenerator<ItemChange, void>> {
  const inbox = createInbox<ItemChange>(signal);
  const unsubscribe = await bus.subscribe(itemChangesTopic(owner.id), (change) => inbox.push(change as ItemChange));
  return changesFrom(inbox, releaseOnEnd(signal, unsubscribe));
}

async function* changesFrom(inbox: Inbox<ItemChange>, stop: () => Promise<void>): AsyncGenerator<ItemChange, void> {
  try {
    yield* inbox.items();
  } finally {
    await stop();
  }
}
