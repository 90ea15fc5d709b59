import { TRPCError, type TrackedEnvelope, tracked } from "@trpc/server";
import { AppError } from "../errors.js";
import type { Clock } from "../platform/clock.js";
import { type HandOffToken, isHandOffToken } from "../platform/events/hand-off.js";
import { isAsyncIterable, pipeEvents } from "./iterables.js";
import { authedProcedure } from "./procedures.js";

/** Sent when a subscription outlives the access token that opened it (SSE). */
export const TOKEN_EXPIRED_MESSAGE = "The access token of this subscription expired; subscribe again with a fresh one";

/**
 * Authenticated subscriptions, and what keeps them honest over time:
 * - Over SSE, each subscription is an HTTP request authenticated by its own header. It ends with
 *   UNAUTHORIZED when that token expires; the typed client then resumes it, from its last event,
 *   with a fresh token. A caller without one gets the error, rather than a stream that never ends.
 * - Over WebSocket, one token authenticates the whole connection, so the connection itself asks
 *   the client to reconnect when the token expires (http/trpc-ws.ts). Here we only cap how many
 *   subscriptions one connection may hold.
 */
export const liveProcedure = authedProcedure.use(async ({ ctx, next, signal }) => {
  const { connection } = ctx;
  if (!connection) {
    const expiresAt = await ctx.credentialsExpireAt();
    const result = await next();
    if (!result.ok || !isAsyncIterable(result.data)) return result;
    return { ...result, data: endAtExpiry(result.data, expiresAt, ctx.deps.clock) };
  }

  if (connection.subscriptions >= connection.maxSubscriptions) {
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `A connection may hold ${connection.maxSubscriptions} subscriptions; stop one or open another connection`,
    );
  }
  // Counted from here until the subscription ends, however it ends (stop, close, error).
  connection.subscriptions++;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    connection.subscriptions--;
  };
  signal?.addEventListener("abort", release, { once: true });
  const result = await next();
  if (!result.ok || !isAsyncIterable(result.data)) {
    release();
    return result;
  }
  return { ...result, data: pipeEvents(result.data, { onEnd: release }) };
});

/**
 * `events` until `expiresAt`, then UNAUTHORIZED. Checked against the clock before every event
 * too, so a moved test clock has the same effect as waiting.
 */
async function* endAtExpiry<T>(events: AsyncIterable<T>, expiresAt: Date, clock: Clock) {
  const iterator = events[Symbol.asyncIterator]();
  let expired = false;
  // One resolver at a time rather than racing a shared promise: racing would pile up a reaction
  // on it for every event of a long subscription.
  let interrupt: ((value: "expired") => void) | undefined;
  const timer = setTimeout(
    () => {
      expired = true;
      interrupt?.("expired");
    },
    Math.max(0, expiresAt.getTime() - clock.now().getTime()),
  );
  const tokenExpired = () => new TRPCError({ code: "UNAUTHORIZED", message: TOKEN_EXPIRED_MESSAGE });
  try {
    while (true) {
      if (expired || clock.now() >= expiresAt) throw tokenExpired();
      const next = await new Promise<IteratorResult<T> | "expired">((resolve, reject) => {
        interrupt = resolve;
        iterator.next().then(resolve, reject);
      });
      if (next === "expired" || clock.now() >= expiresAt) throw tokenExpired();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
    // Not awaited: if the source is waiting for its next event, its return runs when the request's
    // signal aborts, which ending this response does.
    iterator.return?.().catch(() => undefined);
  }
}

/**
 * Gives every event its id, so clients can resume after the last one they received (`lastEventId`).
 * A hand-off token passes through as it is (see platform/events/hand-off.ts).
 */
export function trackedBy<T>(
  events: AsyncIterable<T | HandOffToken>,
  idOf: (event: T) => string | number,
): AsyncIterable<TrackedEnvelope<T>> {
  const envelopes = pipeEvents(events, {
    map: (event) => (isHandOffToken(event) ? event : tracked(String(idOf(event)), event)),
  });
  // A token never reaches a client (the encoder drops it), so the type the client sees leaves it out.
  return envelopes as AsyncIterable<TrackedEnvelope<T>>;
}
