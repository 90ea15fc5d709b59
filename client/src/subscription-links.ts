import type { AppRouter } from "@trellis/server";
import {
  createWSClient,
  httpSubscriptionLink,
  type Operation,
  type TRPCClientError,
  type TRPCLink,
  wsLink,
} from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { EventSource } from "eventsource";
import superjson from "superjson";
import NodeWebSocket from "ws";

/** The current access token, or none. */
export type CurrentToken = () => Promise<string | null | undefined>;

/**
 * Subscriptions over one WebSocket at `<base>/trpc`. The token travels in `connectionParams`,
 * read again at every (re)connection. The socket opens with the first subscription and closes a
 * few seconds after the last one ends. When it drops, or the server asks (shutdown, or an expired
 * token), the client reconnects on its own and resubscribes, each subscription resuming after the
 * last event it received.
 */
export function webSocketSubscriptions(opts: {
  base: string;
  token: CurrentToken;
  WebSocket?: typeof globalThis.WebSocket;
}) {
  const client = createWSClient({
    url: `${opts.base.replace(/^http/, "ws")}/trpc`,
    // Browsers and Node 22 have one; on Node 20 the `ws` package stands in, so nobody has to wire it.
    WebSocket: opts.WebSocket ?? globalThis.WebSocket ?? (NodeWebSocket as unknown as typeof globalThis.WebSocket),
    connectionParams: async () => {
      const token = await opts.token();
      return token ? { token } : {};
    },
    lazy: { enabled: true, closeMs: 3_000 },
    // Notices a dead connection (sleeping laptop, lost Wi-Fi) within 20 s, and reconnects.
    keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
  });
  return { link: wsLink<AppRouter>({ client, transformer: superjson }), close: () => client.close() };
}

/**
 * Subscriptions over server-sent events: one `GET <base>/trpc/<path>` each, with the token in an
 * `Authorization` header read again at every (re)connection. The `eventsource` package is used
 * everywhere because the browser's EventSource cannot send headers.
 */
export function serverSentEventSubscriptions(opts: { base: string; token: CurrentToken; fetch?: typeof fetch }) {
  const doFetch = opts.fetch ?? fetch;
  return httpSubscriptionLink<AppRouter, typeof EventSource>({
    url: `${opts.base}/trpc`,
    transformer: superjson,
    EventSource,
    eventSourceOptions: () => ({
      fetch: async (url, init) => {
        const token = await opts.token();
        return doFetch(url, {
          ...init,
          headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        });
      },
    }),
  });
}

/**
 * Resubscribes a subscription the server ended with UNAUTHORIZED — its access token expired (SSE
 * ends the stream then) — if the token source now has a different token: the new attempt carries
 * it and the id of the last event received, so nothing is lost. With the same token, or none, the
 * error reaches the caller; so does a second refusal in a row.
 */
export function resumeWithFreshToken(token: CurrentToken): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) => {
      if (op.type !== "subscription") return next(op);
      return observable((observer) => {
        let lastEventId: string | undefined;
        let current: Unsubscribable | undefined;
        let stopped = false;
        const attempt = async () => {
          const used = await token();
          if (stopped) return;
          current = next(withLastEventId(op, lastEventId)).subscribe({
            next(envelope) {
              const { result } = envelope;
              if ((result.type === "data" || result.type === undefined) && "id" in result && result.id) {
                lastEventId = String(result.id);
              }
              observer.next(envelope);
            },
            error(error: TRPCClientError<AppRouter>) {
              if (stopped || error.data?.code !== "UNAUTHORIZED") return observer.error(error);
              token().then(
                (fresh) => (fresh && fresh !== used ? attempt() : observer.error(error)),
                () => observer.error(error),
              );
            },
            complete: () => observer.complete(),
          });
        };
        attempt().catch((error) => observer.error(error));
        return () => {
          stopped = true;
          current?.unsubscribe();
        };
      });
    };
}

function withLastEventId(op: Operation, lastEventId: string | undefined): Operation {
  if (lastEventId === undefined || typeof op.input !== "object" || op.input === null) return op;
  return { ...op, input: { ...op.input, lastEventId } };
}
