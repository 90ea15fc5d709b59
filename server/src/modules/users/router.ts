import { z } from "zod";
import { router } from "../../trpc/init.js";
import { adminProcedure, authedProcedure } from "../../trpc/procedures.js";
import { noContent } from "../../trpc/schemas.js";
import {
  deleteUserMeta,
  ListUsersInput,
  listUsersMeta,
  meMeta,
  UpdateMeInput,
  UserIdInput,
  UserOutput,
  UserPage,
  updateMeMeta,
  userByIdMeta,
} from "./schema.js";
import { deleteUser, getUser, listUsers, updateUser } from "./service.js";

export const usersRouter = router({
  me: authedProcedure
    .meta(meMeta)
    .input(z.void())
    .output(UserOutput)
    .query(({ ctx }) => getUser(ctx.deps, ctx.user.id)),
  updateMe: authedProcedure
    .meta(updateMeMeta)
    .input(UpdateMeInput)
    .output(UserOutput)
    .mutation(({ ctx, input }) => updateUser(ctx.deps, ctx.user.id, input)),
  list: adminProcedure
    .meta(listUsersMeta)
    .input(ListUsersInput)
    .output(UserPage)
    .query(({ ctx, input }) => listUsers(ctx.deps, input)),
  byId: adminProcedure
    .meta(userByIdMeta)
    .input(UserIdInput)
    .output(UserOutput)
    .query(({ ctx, input }) => getUser(ctx.deps, input.id)),
  delete: adminProcedure
    .meta(deleteUserMeta)
    .input(UserIdInput)
    .output(noContent)
    .mutation(({ ctx, input }) => deleteUser(ctx.deps, input.id, ctx.user.id)),
});
