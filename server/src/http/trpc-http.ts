import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Env } from "../env.js";
import type { AppRouter } from "../router.js";
import type { Context, ContextSource } from "../trpc/context.js";

export interface TrpcHttpOptions {
  env: Env;
  router: AppRouter;
  createContext: (source: ContextSource) => Context;
  onInternalError: (error: unknown, request: FastifyRequest) => void;
}

/** tRPC over HTTP at `/trpc`: queries, mutations, batches, and SSE subscriptions. */
export async function registerTrpcHttp(app: FastifyInstance, opts: TrpcHttpOptions) {
  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: opts.router,
      maxBatchSize: opts.env.MAX_BATCH_SIZE,
      createContext: ({ req }) => opts.createContext({ headers: req.headers, requestId: req.id }),
      onError: ({ error, req }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") opts.onInternalError(error, req);
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });
}
