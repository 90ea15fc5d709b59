import type { AnyTRPCRouter } from "@trpc/server";
import { type FastifyTRPCPluginOptions, fastifyRequestHandler, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Env } from "../env.js";
import type { Context, ContextSource } from "../trpc/context.js";
import { createFastTrpcHandler } from "./fast/trpc-handler.js";
import { settled } from "./settled.js";

export interface TrpcHttpOptions {
  /** MAX_BATCH_SIZE, and HTTP_FAST_PATH (off: the stock adapter alone serves every request). */
  env: Pick<Env, "MAX_BATCH_SIZE" | "HTTP_FAST_PATH">;
  router: AnyTRPCRouter;
  createContext: (source: ContextSource) => Context;
  onInternalError: (error: unknown, request: FastifyRequest) => void;
}

/**
 * tRPC over HTTP at `/trpc`: queries, mutations, batches, and SSE subscriptions.
 *
 * With the fast path on (HTTP_FAST_PATH, the default), the route is the stock Fastify plugin's
 * route — the same content-type parsers and `/:path` pattern, so Fastify's hooks, body limit and
 * errors are unchanged — whose handler first offers the request to the fast path (http/fast/) and
 * hands whatever it declines — subscriptions, streamed batches, form data, malformed requests — to
 * tRPC's own `fastifyRequestHandler`. HTTP_FAST_PATH=off registers tRPC's plugin itself.
 */
export async function registerTrpcHttp(app: FastifyInstance, opts: TrpcHttpOptions) {
  const trpcOptions = {
    router: opts.router,
    maxBatchSize: opts.env.MAX_BATCH_SIZE,
    createContext: ({ req }) => opts.createContext({ headers: req.headers, requestId: req.id }),
    onError: ({ error, req }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") opts.onInternalError(error, req);
    },
  } satisfies FastifyTRPCPluginOptions<AnyTRPCRouter>["trpcOptions"];

  if (opts.env.HTTP_FAST_PATH === "off") {
    await app.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions });
    return;
  }

  const fast = createFastTrpcHandler(trpcOptions);
  await app.register(
    async (scope) => {
      // As fastifyTRPCPlugin does: tRPC parses JSON itself (lazily, per call), and reads FormData from the stream.
      scope.removeContentTypeParser("application/json");
      scope.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, body));
      scope.removeContentTypeParser("multipart/form-data");
      scope.addContentTypeParser("multipart/form-data", {}, (_request, body, done) => done(null, body));

      scope.all<{ Params: { path: string } }>("/:path", async (req, res) => {
        if (await fast(req, res, req.params.path)) return settled(res);
        await fastifyRequestHandler({ ...trpcOptions, req, res, path: req.params.path });
        return res;
      });
    },
    { prefix: "/trpc" },
  );
}
