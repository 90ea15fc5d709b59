import type { AppRouter } from "@trellis/server";
import type { TRPCClientError, TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";

/**
 * Retries an operation once after an UNAUTHORIZED answer, if `refresh` produced a new access token.
 * Written by hand because tRPC's retryLink decides synchronously and cannot wait for a refresh.
 */
export function refreshOnUnauthorizedLink(refresh: () => Promise<string | null>): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current = next(op).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error: (error: TRPCClientError<AppRouter>) => {
            if (error.data?.code !== "UNAUTHORIZED" || op.type === "subscription") return observer.error(error);
            refresh().then(
              (token) => {
                if (!token) return observer.error(error);
                current = next(op).subscribe(observer);
              },
              () => observer.error(error),
            );
          },
        });
        return () => current.unsubscribe();
      });
}
