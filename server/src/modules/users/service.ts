import { AppError, notFound } from "../../errors.js";
import type { Prisma } from "../../generated/prisma/client.js";
import { escapeLike } from "../../platform/db/like.js";
import type { Deps } from "../../platform/deps.js";
import { publicUserSelect } from "./schema.js";

type Db = Pick<Deps, "db">;

export async function getUser({ db }: Db, id: number) {
  const user = await db.user.findUnique({ where: { id }, select: publicUserSelect });
  if (!user) throw notFound("User", id);
  return user;
}

export async function updateUser(
  { db, passwords, callers }: Pick<Deps, "db" | "passwords" | "callers">,
  id: number,
  changes: { name?: string; password?: string },
) {
  const data: Prisma.UserUpdateInput = { name: changes.name };
  if (changes.password !== undefined) data.passwordHash = await passwords.hash(changes.password);
  const user = await db.user.update({ where: { id }, data, select: publicUserSelect });
  await callers.forget(id);
  return user;
}

export async function listUsers({ db }: Db, { skip, limit, search }: { skip: number; limit: number; search?: string }) {
  const text = search && escapeLike(search);
  const where: Prisma.UserWhereInput = text
    ? { OR: [{ email: { contains: text, mode: "insensitive" } }, { name: { contains: text, mode: "insensitive" } }] }
    : {};
  const [items, total] = await Promise.all([
    db.user.findMany({ where, select: publicUserSelect, orderBy: { id: "asc" }, skip, take: limit }),
    db.user.count({ where }),
  ]);
  return { items, total, skip, limit };
}

/** Deletes a user with their items and sessions. An admin may not delete themselves: it could leave no admin. */
export async function deleteUser({ db, callers }: Pick<Deps, "db" | "callers">, id: number, actorId: number) {
  if (id === actorId) throw new AppError("FORBIDDEN", "Administrators cannot delete their own account");
  const { count } = await db.user.deleteMany({ where: { id } });
  if (count === 0) throw notFound("User", id);
  // Its tokens stop working now on every instance, not when their owner's entry expires.
  await callers.forget(id);
}
