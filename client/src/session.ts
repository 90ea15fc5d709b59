import type { AppRouter } from "@trellis/server";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * Holds a login's tokens and rotates them. Concurrent refreshes share one request: the server
 * treats a second use of a refresh token as theft and revokes the whole login.
 */
export function createSession(opts: { url: string; tokens?: Tokens; onChange?: (tokens: Tokens | null) => void }) {
  let tokens = opts.tokens ?? null;
  let refreshing: Promise<string | null> | null = null;
  const raw = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${opts.url.replace(/\/+$/, "")}/trpc`, transformer: superjson })],
  });
  const set = (next: Tokens | null) => {
    tokens = next;
    opts.onChange?.(next);
  };

  return {
    accessToken: () => tokens?.accessToken,
    set,
    /** A new access token, or null when the login is over (refresh token expired, revoked or reused). */
    refresh(): Promise<string | null> {
      refreshing ??= (async () => {
        if (!tokens) return null;
        try {
          const next = await raw.auth.refresh.mutate({ refreshToken: tokens.refreshToken });
          set({ accessToken: next.accessToken, refreshToken: next.refreshToken });
          return next.accessToken;
        } catch {
          set(null);
          return null;
        }
      })().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
  };
}

export type Session = ReturnType<typeof createSession>;
