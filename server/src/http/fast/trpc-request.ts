import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { TRPCRequestInfo } from "@trpc/server/http";
import {
  type AnyRouter,
  getAcceptHeader,
  getRequestInfo,
  urlPathToProcedurePath,
} from "@trpc/server/unstable-core-do-not-import";
import type { FastifyRequest } from "fastify";
import { RequestInfo } from "./request-info.js";
import { requestSignal } from "./request-signal.js";
import { searchParamsOf, urlOrNull } from "./request-url.js";

/** The media type of a Content-Type, compared as tRPC compares it: case-insensitive, parameters dropped. */
function mediaTypeOf(contentType: string | undefined): string | undefined {
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
 * Parses a tRPC HTTP request with tRPC's own parser (`getRequestInfo`: batching, `maxBatchSize`, lazy
 * superjson input decoding), fed from Fastify's request rather than from a fetch `Request`.
 *
 * Resolves to null, having run nothing, for every request the fast path leaves to the stock adapter:
 * methods other than GET and POST, subscriptions (SSE), streamed batches (`httpBatchStreamLink`),
 * FormData and binary inputs, `connectionParams`, and requests tRPC refuses before it runs any
 * procedure (an invalid URL or path encoding, an oversize batch, a bad content type). The stock
 * adapter then gives those their exact answer.
 */
export async function parseTrpcRequest(
  router: AnyRouter,
  request: FastifyRequest,
  response: ServerResponse,
  urlPath: string,
  maxBatchSize: number | undefined,
): Promise<TRPCRequestInfo | null> {
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
  if (getAcceptHeader(headers as unknown as Headers) === "application/jsonl") return null;
  // Fastify's JSON parser in the tRPC scope hands the body over as the raw string.
  const body = request.body;
  if (method === "POST" && typeof body !== "string") return null;

  const searchParams = searchParamsOf(raw);
  if (!searchParams || searchParams.has("connectionParams")) return null;
  let path: string;
  try {
    path = urlPathToProcedurePath(decodeURIComponent(urlPath), router._def._config.pathSeparator);
  } catch {
    return null;
  }

  // getRequestInfo reads method, headers, text() and signal of the request; the signal and the URL
  // are only made once the fast path has taken the request (see RequestInfo).
  const req = { method, headers, text: async () => body as string, signal: undefined };
  let info: TRPCRequestInfo;
  try {
    info = await getRequestInfo({
      req: req as unknown as Request,
      path,
      router,
      searchParams,
      headers: headers as unknown as Headers,
      url: null,
      maxBatchSize,
    });
  } catch {
    return null;
  }
  if (info.type === "subscription") return null;
  return new RequestInfo(
    info,
    () => urlOrNull(raw),
    () => requestSignal(raw, response),
  );
}
