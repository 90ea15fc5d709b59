import type { TRPCError } from "@trpc/server";
import { z } from "zod";

/** One field-level problem of a validation error. */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

/** Field paths and messages of a zod validation error, or undefined for any other error. */
export function fieldIssuesOf(error: TRPCError): FieldIssue[] | undefined {
  if (!(error.cause instanceof z.ZodError)) return undefined;
  return error.cause.issues.map((issue) => ({
    path: issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment)),
    message: issue.message,
  }));
}

/** What a tRPC client reads in `error.data`: the same code, requestId and issues as the REST body. */
export interface ErrorData {
  code: TRPCError["code"];
  httpStatus: number;
  path?: string;
  requestId?: string;
  issues?: FieldIssue[];
  stack?: string;
}

/** Messages of unexpected errors are not for clients: they may carry SQL or internals. */
export function publicMessageOf(error: TRPCError): string {
  if (error.code === "INTERNAL_SERVER_ERROR") return "Internal server error";
  if (fieldIssuesOf(error)) return "Input validation failed";
  return error.message;
}
