import type { IncomingHttpHeaders } from "node:http";

/**
 * Reads one header from either shape a transport hands us: fetch `Headers` (trpc-to-openapi's
 * fetch handler, SSE) or Node's header record (Fastify, WebSocket upgrade requests). `name` is in lower
 * case, as Node's record keys are (lower-casing it here cost every request ~200 instructions).
 */
export function readHeader(headers: Headers | IncomingHttpHeaders, name: Lowercase<string>): string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const value = (headers as IncomingHttpHeaders)[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other scheme. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}
