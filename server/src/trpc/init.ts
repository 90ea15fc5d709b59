import { initTRPC } from "@trpc/server";
import type { Context } from "./context.js";
import { type ErrorData, fieldIssuesOf, publicMessageOf } from "./error-formatter.js";
import type { Meta } from "./meta.js";
import { transformer } from "./transformer.js";

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // superjson, serialising a fan-out event once for all its subscribers (see transformer.ts).
    transformer,
    // SSE subscriptions: a comment every 10 s keeps proxies from closing a quiet stream, and a client
    // that hears nothing for 25 s reconnects (resuming from its last event) instead of waiting forever.
    sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 25_000 } },
    // Stacks only in development: they reveal file layout and library versions.
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      const data: ErrorData = {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        requestId: ctx?.requestId,
        issues: fieldIssuesOf(error),
        stack: ctx?.deps.env.NODE_ENV === "development" ? error.stack : undefined,
      };
      return { ...shape, message: publicMessageOf(error), data };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;
export const baseProcedure = t.procedure;
