import type { TRPCRequestInfo } from "@trpc/server/http";
import {
  type AnyRouter,
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  TRPCError,
} from "@trpc/server/unstable-core-do-not-import";
import type { FastifyReply, FastifyRequest } from "fastify";
import { callProcedure } from "./procedure-runner.js";
import { parseTrpcRequest } from "./trpc-request.js";

type ProcedureType = TRPCRequestInfo["type"];

export interface FastTrpcOptions {
  router: AnyRouter;
  createContext: (opts: { req: FastifyRequest; res: FastifyReply; info: TRPCRequestInfo }) => unknown;
  onError?: (opts: {
    error: TRPCError;
    type: ProcedureType;
    path: string | undefined;
    input: unknown;
    ctx: unknown;
    req: FastifyRequest;
  }) => void;
  maxBatchSize?: number;
}

/** The methods tRPC's HTTP handler accepts per procedure type (without `allowMethodOverride`). */
const ACCEPTED_METHODS: Record<string, string[]> = { query: ["GET"], mutation: ["POST"], subscription: ["GET"] };

/** Module-local for the `for…in` below: see `ownProperty` in trpc/plain-json.ts. */
const ownProperty = Object.prototype.hasOwnProperty;

/**
 * tRPC's test for a value a plain JSON response cannot carry (it needs httpBatchStreamLink): an async
 * iterable, or an object with a promise or async iterable among its own enumerable values. tRPC walks
 * `Object.values(value)`; the loop reads the same values without building that array on every answer.
 */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  for (const key in value) {
    if (!ownProperty.call(value, key)) continue;
    const field = value[key];
    if (isPromise(field) || isAsyncIterable(field)) return true;
  }
  return false;
}

const asIs = (payload: unknown) => payload as string;

type ResponseItem = { error: unknown } | { result: { data: unknown } };

/**
 * The JSON text of one answer, as `JSON.stringify` writes tRPC's `transformTRPCResponse` of it (`data`
 * or `error` serialized with the router's transformer), with the envelope written out by hand:
 * JSON.stringify pays for every object it walks (~600 instructions for its `toJSON` lookup alone), and
 * the envelope is two of the four objects of a small answer. The transformer's output is stringified
 * as JSON.stringify would, with one difference nobody sees: a `toJSON` of that top-level value is
 * called with the key "" instead of "data" or "error" (superjson's output, a plain object, has none).
 */
function answerText(config: AnyRouter["_def"]["_config"], item: ResponseItem): string {
  const { serialize: toWire } = config.transformer.output;
  // JSON.stringify returns undefined for a value JSON leaves out; inside an object, its key goes too.
  if ("error" in item) {
    const text = JSON.stringify(toWire(item.error));
    return text === undefined ? "{}" : `{"error":${text}}`;
  }
  const text = JSON.stringify(toWire(item.result.data));
  return text === undefined ? '{"result":{}}' : `{"result":{"data":${text}}}`;
}

const streamError = () =>
  new TRPCError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
  });

/**
 * Serves tRPC queries, mutations and batches straight from Fastify's request: the work of tRPC's
 * `resolveResponse` for JSON answers, without the fetch `Request`/`Response` objects, the signal
 * combinators and the web-stream body its Node adapters build around every call. Each step below
 * mirrors resolveResponse, so statuses, headers and bodies are the same byte for byte.
 *
 * The returned function resolves to false, having done nothing, when it leaves a request to the
 * stock adapter (see parseTrpcRequest, and every request to a router with lazily loaded parts);
 * otherwise it has sent the answer.
 */
export function createFastTrpcHandler(opts: FastTrpcOptions) {
  const config = opts.router._def._config;
  // Procedures of a lazy router are loaded on first use, which the fast path's synchronous lookup does
  // not do. Asked once: such a router stays with the stock adapter after its parts have loaded.
  const hasLazyParts = Object.keys(opts.router._def.lazy ?? {}).length > 0;

  return async function handleTrpc(request: FastifyRequest, reply: FastifyReply, urlPath: string): Promise<boolean> {
    if (hasLazyParts) return false;
    const info = parseTrpcRequest(opts.router, request, reply.raw, urlPath, opts.maxBatchSize);
    if (!info) return false;
    /** The `Allow` of a method mismatch, the one header that depends on the calls. */
    let allow: string | undefined;

    // A context that fails to build fails every call, after the checks that precede it.
    let ctx: unknown;
    let ctxError: TRPCError | undefined;
    try {
      // Ours builds synchronously; awaiting a plain value would still cost a turn of the microtask queue.
      const made = opts.createContext({ req: request, res: reply, info });
      ctx = isPromise(made) ? await made : made;
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }

    const calls = info.calls.map(async (call): Promise<[TRPCError | undefined, unknown]> => {
      const proc = call.procedure;
      try {
        if (!proc) throw new TRPCError({ code: "NOT_FOUND", message: `No procedure found on path "${call.path}"` });
        const accepted = ACCEPTED_METHODS[proc._def.type] ?? [];
        if (!accepted.includes(request.method)) {
          allow = accepted.join(", ");
          throw new TRPCError({
            code: "METHOD_NOT_SUPPORTED",
            message: `Unsupported ${request.method}-request to ${proc._def.type} procedure at path "${call.path}"`,
          });
        }
        if (ctxError) throw ctxError;
        const data = await callProcedure(proc, {
          path: call.path,
          getRawInput: call.getRawInput,
          readRawInput: call.readRawInput,
          ctx,
          type: proc._def.type,
          // tRPC gives every call a signal that aborts with the request; one for all calls aborts
          // alike. `info` makes it when a procedure first reads it (see MiddlewareOptions).
          signals: info,
          batchIndex: call.batchIndex,
        });
        return [undefined, data];
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        const type = call.procedure?._def.type ?? "unknown";
        opts.onError?.({ error, path: call.path, input: call.result(), ctx, type, req: request });
        return [error, undefined];
      }
    });

    let status: number;
    let body: string;
    try {
      if (!info.isBatchCall) {
        const call = info.calls[0]!;
        const [error, data] = await calls[0]!;
        if (isDataStream(data)) throw streamError();
        const json = error
          ? { error: getErrorShape({ config, ctx, error, input: call.result(), path: call.path, type: info.type }) }
          : { result: { data } };
        // tRPC's getHTTPStatusCode gives one answer without an error 200.
        status = error ? getHTTPStatusCode(json, [error]) : 200;
        body = answerText(config, json);
      } else {
        const results = (await Promise.all(calls)).map(([error, data]) =>
          !error && isDataStream(data) ? [streamError(), undefined] : [error, data],
        ) as [TRPCError | undefined, unknown][];
        const json = results.map(([error, data], index) => {
          if (!error) return { result: { data } };
          const call = info.calls[index]!;
          const type = call.procedure?._def.type ?? "unknown";
          return { error: getErrorShape({ config, ctx, error, input: call.result(), path: call.path, type }) };
        });
        status = getHTTPStatusCode(json, results.map(([error]) => error) as TRPCError[]);
        body = `[${json.map((item) => answerText(config, item)).join(",")}]`;
      }
    } catch (cause) {
      // resolveResponse's last resort: one error for the whole request, reported without a path.
      const error = getTRPCErrorFromUnknown(cause);
      opts.onError?.({ error, path: undefined, input: undefined, ctx, type: info.type, req: request });
      const json = { error: getErrorShape({ config, ctx, error, input: undefined, path: undefined, type: info.type }) };
      status = getHTTPStatusCode(json, [error]);
      body = answerText(config, json);
    }

    reply.code(status).header("vary", "trpc-accept, accept");
    if (allow !== undefined) reply.header("allow", allow);
    reply.header("content-type", "application/json");
    // The body is JSON already. A reply serializer (the identity) makes Fastify send the string as it is
    // and keeps it from appending "; charset=utf-8" to the content type, which the stock adapter's
    // Response does not have; a string goes out in one write with the headers, where a Buffer took two.
    // onSend hooks (request id, timing, compression) still run.
    reply.serializer(asIs).send(body);
    return true;
  };
}
