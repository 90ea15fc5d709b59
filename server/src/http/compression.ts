import compress from "@fastify/compress";
import type { FastifyInstance, onSendHookHandler } from "fastify";

/** Answers smaller than this many bytes go out as they are: compressing them saves less than it costs. */
export const COMPRESSION_THRESHOLD = 1024;

/**
 * Whether @fastify/compress would send this payload as it is whatever the request and reply say: a string
 * or Buffer under the threshold (with neither `inflateIfDeflated` nor `onUnsupportedEncoding` set, as here).
 * A string of n UTF-16 units is at least n bytes, so only short strings are measured.
 */
export function isBelowThreshold(payload: unknown): boolean {
  if (typeof payload === "string") {
    return payload.length < COMPRESSION_THRESHOLD && Buffer.byteLength(payload) < COMPRESSION_THRESHOLD;
  }
  return Buffer.isBuffer(payload) && payload.length < COMPRESSION_THRESHOLD;
}

/** `hook`, skipped for payloads it would pass through unchanged. */
function skipBelowThreshold(hook: onSendHookHandler): onSendHookHandler {
  return function skipSmall(this: FastifyInstance, request, reply, payload, done) {
    if (isBelowThreshold(payload)) return done(null, payload);
    return hook.call(this, request, reply, payload, done);
  } as onSendHookHandler;
}

/**
 * @fastify/compress for every route, with its per-route onSend hook skipped for answers under the
 * threshold. The plugin checks the request's headers and three of the reply's (a content-type look-up in
 * mime-db among them) and negotiates Accept-Encoding before it looks at the size, ~4,000 instructions per
 * request (callgrind, BENCHMARKS.md), to send most JSON answers as they are. The plugin adds its hook
 * last to each route's onSend list from its own onRoute hook, which runs before this one.
 */
export async function registerCompression(app: FastifyInstance) {
  await app.register(compress, { threshold: COMPRESSION_THRESHOLD });
  app.addHook("onRoute", (route) => {
    if (route.compress === false || !Array.isArray(route.onSend)) return;
    const last = route.onSend.length - 1;
    const hook = route.onSend[last] as onSendHookHandler | undefined;
    // The plugin's hook is a function named onSend; a route's own hooks stay as they are.
    if (hook?.name === "onSend") route.onSend[last] = skipBelowThreshold(hook);
  });
}
