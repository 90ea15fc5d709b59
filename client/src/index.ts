import type { AppRouter, RouterInputs, RouterOutputs } from "@trellis/server";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import { refreshOnUnauthorizedLink } from "./refresh-link.js";

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
  /** Custom fetch, e.g. to add headers or for tests. */
  fetch?: typeof fetch;
  /**
   * Called once when a call fails with UNAUTHORIZED; resolve to a new access token to retry the call
   * with it (make `token` a getter that returns it), or null to give up. `createSession().refresh` fits.
   */
  onUnauthorized?: () => Promise<string | null>;
}

export type TrellisClient = TRPCClient<AppRouter>;

async function resolveToken(token: TokenSource) {
  return typeof token === "function" ? await token() : token;
}

/** A fully typed tRPC client for Trellis: superjson, batched HTTP, bearer auth. */
export function createClient({
  url,
  token,
  maxItems = 50,
  fetch: customFetch,
  onUnauthorized,
}: ClientOptions): TrellisClient {
  const base = url.replace(/\/+$/, "");
  return createTRPCClient<AppRouter>({
    links: [
      ...(onUnauthorized ? [refreshOnUnauthorizedLink(onUnauthorized)] : []),
      httpBatchLink({
        url: `${base}/trpc`,
        transformer: superjson,
        maxItems,
        fetch: customFetch,
        async headers() {
          const current = await resolveToken(token);
          return current ? { authorization: `Bearer ${current}` } : {};
        },
      }),
    ],
  });
}
