import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createOpenApiNodeHttpHandler, type OpenApiRouter } from "trpc-to-openapi";
import type { Context, ContextSource } from "../trpc/context.js";
import { procedureMetas } from "../trpc/meta.js";
import { errorBody, sendError } from "./error-body.js";
import { stringifyJson } from "./fast/json-text.js";
import { createFastRestHandler, type FastRestOptions } from "./fast/rest-handler.js";
import { API_METHODS, restMethods } from "./rest-methods.js";
import { settled } from "./settled.js";

interface RestOptions {
  router: OpenApiRouter;
  createContext: (source: ContextSource) => Context;
  onInternalError: (error: unknown, request: FastifyRequest) => void;
  exposeStacks: boolean;
  /** Serve matched routes through the fast path (http/fast/); false: trpc-to-openapi's handler only. */
  fastPath: boolean;
}

/** REST status of each procedure on success (201, 204…), from its `meta.successStatus`. */
function successStatuses(router: OpenApiRouter): Map<string, number> {
  return new Map(
    procedureMetas(router).flatMap(([path, meta]) => (meta.successStatus ? [[path, meta.successStatus]] : [])),
  );
}

/**
 * Serves every procedure with `meta.openapi` under `/api`. trpc-to-openapi's handler does it
 * (wrapped rather than used as its Fastify plugin, so that error answers leave in our one documented
 * body `{code,message,requestId,issues?}` instead of the tRPC error shape it sends by default); with
 * `fastPath`, the fast path (http/fast/rest-handler.ts) serves the routes it matches the same way and
 * leaves the rest (404, non-JSON bodies) to that handler. Both answers leave through `endReply`.
 */
export function registerRest(app: FastifyInstance, opts: RestOptions) {
  const statuses = successStatuses(opts.router);
  const shared = {
    router: opts.router,
    createContext: ({ req }: { req: unknown }) => {
      const request = req as FastifyRequest;
      return opts.createContext({ headers: request.headers, requestId: request.id });
    },
    responseMeta: ({ paths, errors }: { paths?: readonly string[]; errors: unknown[] }) => {
      const path = paths?.[0];
      return errors.length === 0 && path ? { status: statuses.get(path) ?? 200 } : {};
    },
    onError: ({ error, req }: { error: { code: string }; req: unknown }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") opts.onInternalError(error, req as FastifyRequest);
    },
  } satisfies FastRestOptions;
  const stock = createOpenApiNodeHttpHandler(shared);
  const fast = opts.fastPath ? createFastRestHandler(shared) : undefined;
  const methodsOf = restMethods(opts.router);

  app.route({
    // Fastify adds HEAD to every GET route by itself (exposeHeadRoutes).
    method: API_METHODS.filter((method) => method !== "HEAD"),
    url: "/api/*",
    handler: async (request, reply) => {
      request.raw.url = request.url.slice("/api".length);
      // HEAD is GET without the body (RFC 9110 §9.3.2), which Node leaves out for a HEAD request by
      // itself; trpc-to-openapi would answer every HEAD with 204, even for a path that does not exist.
      if (request.raw.method === "HEAD") request.raw.method = "GET";
      const answer = fast && (await fast(request, reply));
      if (answer) {
        // As trpc-to-openapi's sendResponse writes it.
        reply.code(answer.status);
        reply.header("Content-Type", "application/json");
        for (const [key, value] of Object.entries(answer.headers ?? {}))
          if (value !== undefined) reply.header(key, value);
        endReply(request, reply, opts.exposeStacks, stringifyJson(answer.body));
        return settled(reply);
      }
      const allowed = methodsOf(request.raw.url);
      const method = request.method;
      if (allowed.length > 0 && !allowed.includes(method)) {
        reply.header("allow", allowed.join(", "));
        return sendError(
          request,
          reply,
          "METHOD_NOT_SUPPORTED",
          `${request.method} is not allowed here; use ${allowed.join(", ")}`,
        );
      }
      await stock(asNodeRequest(request), asNodeResponse(request, reply, opts.exposeStacks));
      return reply;
    },
  });
}

/** Sends a REST answer: success bodies as they are, error bodies rewritten into ours. */
function endReply(request: FastifyRequest, reply: FastifyReply, exposeStacks: boolean, payload: string | undefined) {
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
    end: (payload?: string) => endReply(request, reply, exposeStacks, payload),
  } as never;
}
