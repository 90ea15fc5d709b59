import type { FastifyInstance, FastifyReply } from "fastify";
import { API_METHODS } from "./rest-methods.js";

export interface CorsOptions {
  /** Origins allowed to read responses (exact `scheme://host[:port]`), or "*" for any. */
  origins: readonly string[];
  /** Response headers a browser script may read besides the CORS-safelisted ones. */
  exposedHeaders: readonly string[];
}

/** What a preflight allows: every method the API has, REST's PATCH, PUT and DELETE among them. */
const ALLOWED_METHODS = API_METHODS.join(",");

/** `Vary` with a field added, or null where it is there already (or `Vary: *`), as @fastify/cors's vary.js does. */
function varyWith(current: string, field: string): string | null {
  // The same route sends the same Vary every time: remember the last answer (splitting it cost ~2,500
  // instructions, about 2% of a small tRPC request).
  if (current === lastVary?.current && field === lastVary.field) return lastVary.result;
  const fields = current.split(",").map((value) => value.trim().toLowerCase());
  const result = fields.includes("*") || fields.includes(field.toLowerCase()) ? null : `${current}, ${field}`;
  lastVary = { current, field, result };
  return result;
}
let lastVary: { current: string; field: string; result: string | null } | undefined;

/** Adds a field to the reply's `Vary`. */
function appendVary(reply: FastifyReply, field: string) {
  const current = reply.getHeader("vary");
  if (!current) {
    reply.header("vary", field);
    return;
  }
  const vary = varyWith(Array.isArray(current) ? current.join(", ") : String(current), field);
  if (vary !== null) reply.header("vary", vary);
}

/**
 * Adds Origin to `Vary` as the answer leaves. A fetch `Response` sent through Fastify (tRPC's stock
 * adapter sends one) has its headers applied after every onSend hook, replacing the reply's: where it
 * brings a `Vary`, Origin goes into that one.
 */
function varyOnOrigin(reply: FastifyReply, payload: unknown) {
  // Most payloads are strings: no `instanceof` walk for them.
  const responseVary = typeof payload === "object" && payload instanceof Response ? payload.headers.get("vary") : null;
  if (responseVary === null) {
    appendVary(reply, "Origin");
    return;
  }
  const vary = varyWith(responseVary, "Origin");
  try {
    if (vary !== null) (payload as Response).headers.set("vary", vary);
  } catch {
    // The headers of a Response that came from fetch() are immutable; a route relaying one keeps its Vary.
  }
}

/**
 * CORS for every route: the answers @fastify/cors gives with `{ origin: origins, credentials: true,
 * exposedHeaders, methods }` and its other defaults (strict preflight, 204, no max-age, requested
 * headers reflected); `cors.test.ts` sends both the same requests and requires the same answers.
 *
 * Two deliberate differences. `Vary: Origin` survives a route that sets `Vary` itself: @fastify/cors
 * writes it before the route runs, so a route's `reply.header("vary", …)` replaces it — tRPC's
 * adapters do that on every answer (`vary: trpc-accept, accept`). A shared cache would then hand one
 * origin's `access-control-allow-origin` to another. Here `Origin` is added when the answer is sent,
 * to whatever `Vary` the route left. And a request without `Origin` gets no CORS headers: it is not a
 * CORS request (browsers send `Origin` on every cross-origin one), @fastify/cors's credentials and
 * exposed-headers lines would tell its caller nothing, and each header costs every answer its
 * validation and bytes (~3,000 instructions apiece under callgrind; BENCHMARKS.md). `Vary: Origin`
 * stays, so a cache never gives such an answer to a cross-origin request.
 *
 * Written by hand because @fastify/cors rebuilds its options on every request (two object spreads,
 * `request.routeOptions` twice, a callback closure, an array join): ~8 µs of a ~45 µs request here
 * (measured with `app.inject`), on every call whether the request is cross-origin or not. This does
 * the same in a few header writes.
 */
export function registerCors(app: FastifyInstance, { origins, exposedHeaders }: CorsOptions) {
  const anyOrigin = origins.includes("*");
  const allowed = new Set(origins);
  const exposed = exposedHeaders.join(", ");

  app.addHook("onRequest", (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (anyOrigin) reply.header("access-control-allow-origin", "*");
      else if (allowed.has(origin)) reply.header("access-control-allow-origin", origin);
      reply.header("access-control-allow-credentials", "true");
      if (exposed) reply.header("access-control-expose-headers", exposed);
    }
    if (request.raw.method !== "OPTIONS") {
      done();
      return;
    }
    // A preflight is answered here, before authentication or anything else that would refuse it.
    if (!origin || !request.headers["access-control-request-method"]) {
      reply.code(400).type("text/plain").send("Invalid Preflight Request");
      return;
    }
    reply.header("access-control-allow-methods", ALLOWED_METHODS);
    // In @fastify/cors's order; the onSend hook below then finds Origin there.
    if (!anyOrigin) appendVary(reply, "Origin");
    appendVary(reply, "Access-Control-Request-Headers");
    const requestedHeaders = request.headers["access-control-request-headers"];
    if (requestedHeaders !== undefined) reply.header("access-control-allow-headers", requestedHeaders);
    reply.code(204).header("content-length", "0").send();
  });

  // The answer depends on Origin (unless any origin is allowed), so caches must keep one per origin.
  if (!anyOrigin) {
    app.addHook("onSend", (_request, reply, payload, done) => {
      varyOnOrigin(reply, payload);
      done(null, payload);
    });
  }

  // Routes every OPTIONS request, so the hook above sees it; the hook always answers first.
  app.options("*", { schema: { hide: true } }, (_request, reply) => reply.callNotFound());
}
