import { z } from "zod";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Meta } from "../../trpc/meta.js";
import { dateTime, idInput, pageInput, pageOutput, text } from "../../trpc/schemas.js";

/** The only user columns that ever leave the server: no password hash, by construction. */
export const publicUserSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.UserSelect;

/** Compared and stored trimmed and lower-cased, so "Ada@X.com " and "ada@x.com" are one account. */
export const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
export const name = text().trim().min(1).max(100);
/** Long enough to matter, short enough that hashing it cannot be used to burn CPU. */
export const password = z.string().min(8).max(128);

export const UserOutput = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    role: z.enum(["user", "admin"]),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: "User" });

export const UpdateMeInput = z
  .object({ name: name.optional(), password: password.optional() })
  .refine((input) => input.name !== undefined || input.password !== undefined, {
    message: "Give a name or a password to change",
  });
export const ListUsersInput = pageInput;
export const UserPage = pageOutput(UserOutput).meta({ id: "UserPage" });
export const UserIdInput = idInput;

const tags = ["users"];
const bearer = { protect: true, tags };

export const meMeta = {
  openapi: { ...bearer, method: "GET", path: "/v1/users/me", summary: "The caller's account", errorResponses: [401] },
} satisfies Meta;
export const updateMeMeta = {
  openapi: {
    ...bearer,
    method: "PATCH",
    path: "/v1/users/me",
    summary: "Change the caller's name or password",
    errorResponses: [400, 401],
  },
} satisfies Meta;
export const listUsersMeta = {
  openapi: {
    ...bearer,
    method: "GET",
    path: "/v1/users",
    summary: "List users (admins)",
    errorResponses: [400, 401, 403],
  },
} satisfies Meta;
export const userByIdMeta = {
  openapi: {
    ...bearer,
    method: "GET",
    path: "/v1/users/{id}",
    summary: "One user (admins)",
    errorResponses: [400, 401, 403, 404],
  },
} satisfies Meta;
export const deleteUserMeta = {
  successStatus: 204,
  openapi: {
    ...bearer,
    method: "DELETE",
    path: "/v1/users/{id}",
    summary: "Delete a user and their items (admins)",
    successDescription: "Deleted",
    errorResponses: [400, 401, 403, 404],
  },
} satisfies Meta;
