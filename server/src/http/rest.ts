import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createOpenApiNodeHttpHandler } from "trpc-to-openapi";
import type { AppRouter } from "../router.js";
import type { Context, ContextSource } from "../trpc/context.js";
import { procedureMetas } from "../trpc/meta.js";
import { errorBody } from "./error-body.js";

interface RestOptions {
  router: AppRouter;
  createContext: (source: ContextSource) => Context;
  onInternalError: (error: unknown, request: FastifyRequest) => void;
  exposeStacks: boolean;
}

/** REST status of each procedure on success (201, 204…), from its `meta.successStatus`. */
function successStatuses(router: AppRouter): Map<string, number> {
  return new Map(
    procedureMetas(router).flatMap(([path, meta]) => (meta.successStatus ? [[path, meta.successStatus]] : [])),
  );
}

/**
 * Serves every procedure with `meta.openapi` under `/api`, through trpc-to-openapi's handler.
 * We wrap it rather than use its Fastify plugin so that error answers leave in our one documented
 * body (`{code,message,requestId,issues?}`) instead of the tRPC error shape it sends by default.
 */
export function registerRest(app: FastifyInstance, opts: RestOptions) {
  const statuses = successStatuses(opts.router);
  const handle = createOpenApiNodeHttpHandler({
    router: opts.router,
    createContext: ({ req }) => {
      const request = req as unknown as FastifyRequest;
      return opts.createContext({ headers: request.headers, requestId: request.id });
    },
    responseMeta: ({ paths, errors }) => {
      const path = paths?.[0];
      return errors.length === 0 && path ? { status: statuses.get(path) ?? 200 } : {};
    },
    onError: ({ error, req }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") opts.onInternalError(error, req as unknown as FastifyRequest);
    },
  });

  app.route({
    method: ["GET", "POST", "PATCH", "PUT", "DELETE"],
    url: "/api/*",
    handler: async (request, reply) => {
      request.raw.url = request.url.slice("/api".length);
      await handle(asNodeRequest(request), asNodeResponse(request, reply, opts.exposeStacks));
      return reply;
    },
  });
}

type Listener = (...args: unknown[]) => void;

/** trpc-to-openapi reads a Node request: lend Fastify's request the raw one's event methods. */
function asNodeRequest(request: FastifyRequest) {
  const raw = request.raw;
  return Object.assign(request, {
    on: (event: string, listener: Listener) => raw.on(event, listener),
    once: (event: string, listener: Listener) => raw.once(event, listener),
    off: (event: string, listener: Listener) => raw.off(event, listener),
    destroy: (error?: Error) => raw.destroy(error),
  }) as never;
}

/** A Node-response facade over Fastify's reply that rewrites error bodies into ours on the way out. */
function asNodeResponse(request: FastifyRequest, reply: FastifyReply, exposeStacks: boolean) {
  const raw = reply.raw;
  return {
    get statusCode() {
      return reply.statusCode;
    },
    set statusCode(status: number) {
      reply.code(status);
    },
    get headersSent() {
      return raw.headersSent;
    },
    socket: raw.socket,
    setHeader: (key: string, value: string) => reply.header(key, value),
    on: (event: string, listener: Listener) => raw.on(event, listener),
    once: (event: string, listener: Listener) => raw.once(event, listener),
    off: (event: string, listener: Listener) => raw.off(event, listener),
    emit: (event: string, ...args: unknown[]) => raw.emit(event, ...args),
    removeListener: (event: string, listener: Listener) => raw.removeListener(event, listener),
    end: (payload?: string) => {
      if (reply.sent) return;
      if (reply.statusCode === 204 || payload === undefined) return void reply.send();
      if (reply.statusCode < 400) return void reply.send(payload);
      const shape = JSON.parse(payload) as {
        code: string;
        message: string;
        data?: { issues?: { path: (string | number)[]; message: string }[]; stack?: string };
      };
      reply.send(
        errorBody(shape.code, shape.message, request.id, {
          issues: shape.data?.issues,
          stack: exposeStacks ? shape.data?.stack : undefined,
        }),
      );
    },
  } as never;
}
