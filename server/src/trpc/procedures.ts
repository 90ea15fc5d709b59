import { TRPCError } from "@trpc/server";
import { AppError, TRPC_CODE_OF } from "../errors.js";
import { baseProcedure, middleware } from "./init.js";
import { isAsyncIterable, pipeEvents } from "./iterables.js";

const toTrpcError = (cause: AppError) =>
  new TRPCError({ code: TRPC_CODE_OF[cause.code], message: cause.message, cause });

/**
 * Turns a service's AppError into the matching tRPC error, keeping the original as `cause` — also
 * one a subscription throws while streaming, after this middleware has returned.
 */
const mapAppErrors = middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) throw toTrpcError(result.error.cause);
  if (result.ok && isAsyncIterable(result.data)) {
    const mapError = (error: unknown) => (error instanceof AppError ? toTrpcError(error) : error);
    return { ...result, data: pipeEvents(result.data, { mapError }) };
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

/** Needs an admin. Administrators are never remembered between requests (callers.ts): a demotion applies at once. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new AppError("FORBIDDEN", "Administrators only");
  return next({ ctx });
});
