import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { expect } from "vitest";
import { startServer, type TestServer } from "./server.js";

/**
 * Two copies of the server side by side, each on its own fresh database: one with HTTP_FAST_PATH
 * off (tRPC's and trpc-to-openapi's stock adapters alone) and one with it on. Sending both the same
 * requests in the same order leaves both databases in the same state, so their answers must match.
 */
export async function startPair(env: Record<string, string> = {}) {
  const [stock, fast] = await Promise.all([
    startServer({ ...env, HTTP_FAST_PATH: "off" }),
    startServer({ ...env, HTTP_FAST_PATH: "on" }),
  ]);
  return { stock, fast, stop: () => Promise.all([stock.stop(), fast.stop()]) };
}

export type Pair = Awaited<ReturnType<typeof startPair>>;

export interface RawRequest {
  method: string;
  /** Sent as is: no encoding is added, so malformed paths reach the server malformed. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Decoded when the server compressed it. */
  body: string;
  /** content-encoding, if any. */
  encoding: string | undefined;
}

/** One request over a fresh connection with node:http: no headers the test did not ask for. */
export function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: hostname, port, method: req.method, path: req.path, headers: req.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          const encoding = res.headers["content-encoding"];
          const body = (encoding === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body, encoding });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}

/**
 * Headers that differ between any two answers, or only in framing: the date, per-request ids and
 * timings (checked on their own), and content-length versus chunked transfer (the stock tRPC adapter
 * streams its body, the fast path sends it whole).
 */
const VOLATILE = new Set([
  "date",
  "x-request-id",
  "server-timing",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
]);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO_DATE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/g;
const REFRESH_TOKEN = /"refreshToken":"[^"]+"/g;

/** What must be equal: status, every header that is not volatile, and the body up to ids, dates and tokens. */
export function comparable(res: RawResponse) {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VOLATILE.has(name)));
  const body = res.body
    .replace(UUID, "<uuid>")
    .replace(ISO_DATE, "<date>")
    .replace(JWT, "<jwt>")
    .replace(REFRESH_TOKEN, '"refreshToken":"<token>"');
  return { status: res.status, headers, body };
}

/** Sends the request to the stock server, then to the fast one, and returns both answers. */
export async function both(pair: Pair, req: RawRequest | ((server: TestServer) => RawRequest)) {
  const of = (server: TestServer) => (typeof req === "function" ? req(server) : req);
  const stock = await send(pair.stock.url, of(pair.stock));
  const fast = await send(pair.fast.url, of(pair.fast));
  return { stock, fast };
}

/** A label for assertion messages. */
export const describeRequest = (req: RawRequest) =>
  `${req.method} ${req.path}${req.body === undefined ? "" : ` ${req.body.slice(0, 80)}`}`;

/**
 * Sends one corpus entry to both servers and requires the same answer: status, the headers that
 * matter and body (see `comparable`), content encoding, and the caller's own request id echoed.
 * Returns both answers and the label for what else a test checks.
 */
export async function expectSameAnswer(pair: Pair, entry: RawRequest | ((server: TestServer) => RawRequest)) {
  const { stock, fast } = await both(pair, entry);
  const label = describeRequest(typeof entry === "function" ? entry(pair.stock) : entry);
  expect(comparable(fast), label).toEqual(comparable(stock));
  expect(fast.encoding, label).toBe(stock.encoding);
  const sentId = (typeof entry === "function" ? entry(pair.fast) : entry).headers?.["x-request-id"];
  if (sentId) expect(fast.headers["x-request-id"], label).toBe(sentId);
  return { stock, fast, label };
}

/** Each server's tokens of its two users (each server has its own database, so its own tokens). */
export type PairTokens = Map<TestServer, { owner: string; stranger: string }>;

/** `req` sent with the bearer token of `who` on whichever server it goes to. */
export const authAs =
  (tokens: PairTokens) =>
  (who: "owner" | "stranger", req: RawRequest) =>
  (server: TestServer): RawRequest => ({
    ...req,
    headers: { ...req.headers, authorization: `Bearer ${tokens.get(server)?.[who]}` },
  });
