import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { HttpErrorCode } from "../errors.js";
import { errorBody } from "./error-body.js";
import { newRequestId } from "./request-ids.js";

/** Node's HTTP-level refusals: [status, body code, message]. */
const REFUSALS: Record<string, [number, HttpErrorCode, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, "TIMEOUT", "The request took longer than the server waits for one to arrive"],
  HPE_HEADER_OVERFLOW: [431, "BAD_REQUEST", "The request headers are too large"],
};
const MALFORMED: [number, HttpErrorCode, string] = [400, "BAD_REQUEST", "Malformed HTTP request"];

/**
 * What Node's HTTP server refuses before Fastify has a request — one that took longer than
 * REQUEST_TIMEOUT_MS to arrive, headers over Node's size limit, bytes that are not HTTP — answered in
 * the one error body (Fastify's default handler answers these in a shape of its own), and the
 * connection closed. Written to the socket by hand, as Node and Fastify write theirs: there is no
 * request or reply to send it through.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] = REFUSALS[error.code ?? ""] ?? MALFORMED;
  const requestId = newRequestId();
  const body = JSON.stringify(errorBody(code, message, requestId));
  // As Node's own fallback: not in the middle of an answer already under way on this connection.
  const answering = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (socket.writable && !answering?.headersSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Node's default time limit for a request's headers, and how often it looks for requests past their time. */
const NODE_HEADERS_TIMEOUT_MS = 60_000;
const NODE_CHECKING_INTERVAL_MS = 30_000;

/**
 * Node's HTTP server options that make `timeoutMs` (REQUEST_TIMEOUT_MS, > 0) the limit on receiving a
 * whole request; Fastify's `requestTimeout` option must carry the same value. The headers keep Node's
 * 60 s, or the whole limit if that is shorter: when the headers' limit is the longer one, Node swaps the
 * two, and a short limit would bound the headers only. And Node looks for late requests every 30 s,
 * which would let a short limit (tests use 1 s) run up to 30 s over.
 */
export function receiveLimits(timeoutMs: number): { headersTimeout: number; connectionsCheckingInterval: number } {
  if (timeoutMs === 0) {
    return { headersTimeout: NODE_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: NODE_CHECKING_INTERVAL_MS };
  }
  return {
    headersTimeout: Math.min(NODE_HEADERS_TIMEOUT_MS, timeoutMs),
    connectionsCheckingInterval: Math.min(NODE_CHECKING_INTERVAL_MS, Math.max(100, Math.floor(timeoutMs / 4))),
  };
}
