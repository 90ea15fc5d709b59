import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { type AnyRouter, getAcceptHeader, urlPathToProcedurePath } from "@trpc/server/unstable-core-do-not-import";
import type { FastifyRequest } from "fastify";
import { type JsonCall, parseJsonCalls } from "./json-calls.js";
import { RequestInfo } from "./request-info.js";
import { requestSignal } from "./request-signal.js";
import { searchParamsOf, urlOrNull } from "./request-url.js";

/** The media type of a Content-Type, compared as tRPC compares it: case-insensitive, parameters dropped. */
function mediaTypeOf(contentType: string | undefined): string | undefined {
  // What @trpc/client sends, answered without the lower-cased copy, the split's array and the trim.
  if (contentType === "application/json") return contentType;
  return contentType?.toLowerCase().split(";", 1)[0]?.trim();
}

/**
 * The part of a fetch `Headers` that tRPC's request parser reads, over Node's header record. Node has
 * already lower-cased the names and joined repeated values, as `Headers` would.
 */
function headersView(raw: IncomingHttpHeaders) {
  return {
    get(name: string): string | null {
      const value = raw[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
    has: (name: string) => raw[name] !== undefined,
  };
}

/**
 * Parses a tRPC HTTP request as tRPC's `getRequestInfo` does (batching, `maxBatchSize`, lazy superjson
 * input decoding; see parseJsonCalls), from Fastify's request rather than from a fetch `Request`.
 *
 * Null, having run nothing, for every request the fast path leaves to the stock adapter:
 * methods other than GET and POST, subscriptions (SSE), streamed batches (`httpBatchStreamLink`),
 * FormData and binary inputs, `connectionParams`, and requests
 * tRPC refuses before it runs any procedure (an invalid URL or path encoding, an oversize batch,
 * procedure types mixed in one batch, a bad content type). The stock adapter then gives those their
 * exact answer.
 */
export function parseTrpcRequest(
  router: AnyRouter,
  request: FastifyRequest,
  response: ServerResponse,
  urlPath: string,
  maxBatchSize: number | undefined,
): RequestInfo<JsonCall> | null {
  const method = request.method;
  if (method !== "GET" && method !== "POST") return null;
  const raw = request.raw;
  const headers = headersView(raw.headers);
  // Without a JSON content type only a GET is still parsed as JSON; FormData, octet streams and a
  // POST of anything else take other branches of tRPC's parser (or its 415).
  const mediaType = mediaTypeOf(raw.headers["content-type"]);
  if (mediaType !== "application/json") {
    if (method !== "GET" || mediaType === "multipart/form-data" || mediaType === "application/octet-stream")
      return null;
  }
  const accept = getAcceptHeader(headers as unknown as Headers);
  if (accept === "application/jsonl") return null;
  // Fastify's JSON parser in the tRPC scope hands the body over as the raw string.
  const body = request.body;
  if (method === "POST" && typeof body !== "string") return null;

  const searchParams = searchParamsOf(raw);
  if (!searchParams || searchParams.has("connectionParams")) return null;
  let path: string;
  try {
    // Without a "%" there is nothing to decode (and the decoder's runtime call costs ~1,700 instructions).
    const decoded = urlPath.includes("%") ? decodeURIComponent(urlPath) : urlPath;
    path = urlPathToProcedurePath(decoded, router._def._config.pathSeparator);
  } catch {
    return null;
  }

  const parsed = parseJsonCalls(
    router,
    path,
    () => (method === "GET" ? searchParams.get("input") : (body as string)),
    searchParams,
    maxBatchSize,
  );
  if (!parsed || parsed.type === "subscription") return null;
  // Fields written out: a spread followed by more keys takes V8's slow path (~2 µs here).
  return new RequestInfo(
    { isBatchCall: parsed.isBatchCall, calls: parsed.calls, type: parsed.type, accept, connectionParams: null },
    () => urlOrNull(raw),
    () => requestSignal(raw, response),
  );
}
