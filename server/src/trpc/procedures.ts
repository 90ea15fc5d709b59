import { TRPCError } from "@trpc/server";
import { AppError, TRPC_CODE_OF } from "../errors.js";
import { baseProcedure, middleware } from "./init.js";

/** Turns a service's AppError into the matching tRPC error, keeping the original as `cause`. */
const mapAppErrors = middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE_OF[cause.code], message: cause.message, cause });
  }
  return result;
});

/** Anyone may call it. */
export const publicProcedure = baseProcedure.use(mapAppErrors);

/** Needs a valid access token; `ctx.user` is the caller, non-null by type. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const user = await ctx.authenticate();
  return next({ ctx: { user } });
});

/** Needs an admin. Checked against the stored role, so a demotion applies at once. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new AppError("FORBIDDEN", "Administrators only");
  return next({ ctx });
});
