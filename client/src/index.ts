import type { AppRouter, RouterInputs, RouterOutputs } from "@trellis/server";
import { createTRPCClient, httpBatchLink, splitLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import { refreshOnUnauthorizedLink } from "./refresh-link.js";
import { resumeWithFreshToken, serverSentEventSubscriptions, webSocketSubscriptions } from "./subscription-links.js";

export { createSession, type Session, type Tokens } from "./session.js";
export type { AppRouter, RouterInputs, RouterOutputs };

/** A token, or a function that returns the current one (called before every request). */
export type TokenSource =
  | string
  | null
  | undefined
  | (() => string | null | undefined | Promise<string | null | undefined>);

export interface ClientOptions {
  /** The server's base URL, e.g. `http://localhost:3000` (the client adds `/trpc`). */
  url: string;
  token?: TokenSource;
  /** Most calls one HTTP request may carry; keep it at or under the server's MAX_BATCH_SIZE. */
  maxItems?: number;
  /** Custom fetch, e.g. to add headers or for tests (also used by SSE subscriptions). */
  fetch?: typeof fetch;
  /**
   * Called once when a call fails with UNAUTHORIZED; resolve to a new access token to retry the call
   * with it (make `token` a getter that returns it), or null to give up. `createSession().refresh` fits.
   * Subscriptions also call it before (re)connecting with a token that has expired.
   */
  onUnauthorized?: () => Promise<string | null>;
  /** How subscriptions travel: all over one WebSocket (default), or one server-sent-events request each. */
  subscriptions?: "websocket" | "sse";
  /** A WebSocket class, for runtimes without one; Node 20 needs none (the `ws` package is used). */
  WebSocket?: typeof globalThis.WebSocket;
}

export type TrellisClient = TRPCClient<AppRouter>;

async function resolveToken(token: TokenSource) {
  return typeof token === "function" ? await token() : token;
}

const closers = new WeakMap<TrellisClient, () => Promise<void>>();

/**
 * A fully typed tRPC client for Trellis: superjson, batched HTTP for queries and mutations, bearer
 * auth, and subscriptions over WebSocket (or SSE) that reconnect and resume on their own.
 */
export function createClient({
  url,
  token,
  maxItems = 50,
  fetch: customFetch,
  onUnauthorized,
  subscriptions = "websocket",
  WebSocket,
}: ClientOptions): TrellisClient {
  const base = url.replace(/\/+$/, "");
  // A subscription's connection outlives many requests: give it a token that is still valid.
  const liveToken = async () => {
    const current = await resolveToken(token);
    if (!current || !onUnauthorized || !hasExpired(current)) return current;
    return (await onUnauthorized()) ?? current;
  };
  const ws = subscriptions === "websocket" ? webSocketSubscriptions({ base, token: liveToken, WebSocket }) : null;
  const client = createTRPCClient<AppRouter>({
    links: [
      ...(onUnauthorized ? [refreshOnUnauthorizedLink(onUnauthorized)] : []),
      resumeWithFreshToken(liveToken),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: ws?.link ?? serverSentEventSubscriptions({ base, token: liveToken, fetch: customFetch }),
        false: httpBatchLink({
          url: `${base}/trpc`,
          transformer: superjson,
          maxItems,
          fetch: customFetch,
          async headers() {
            const current = await resolveToken(token);
            return current ? { authorization: `Bearer ${current}` } : {};
          },
        }),
      }),
    ],
  });
  closers.set(client, async () => ws?.close());
  return client;
}

/**
 * Ends the client's subscriptions and closes its WebSocket now (it also closes by itself a few
 * seconds after the last subscription ends).
 */
export async function closeClient(client: TrellisClient): Promise<void> {
  await closers.get(client)?.();
}

/** Whether a JWT's `exp` has passed (or will within a second). Unverified: the server decides; this only avoids a doomed attempt. */
function hasExpired(jwt: string): boolean {
  try {
    const payload = JSON.parse(atob(jwt.split(".")[1]?.replace(/-/g, "+").replace(/_/g, "/") ?? "")) as {
      exp?: unknown;
    };
    return typeof payload.exp === "number" && payload.exp * 1000 < Date.now() + 1_000;
  } catch {
    return false;
  }
}
