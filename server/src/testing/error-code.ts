import { TRPCError } from "@trpc/server";

/** "resolved", or the tRPC code the call failed with: what a client would branch on. */
export const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof TRPCError ? error.code : String(error)),
  );
