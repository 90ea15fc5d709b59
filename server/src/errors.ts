import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

/** Every error a service may raise. Closed: adding one means adding it to the tables below. */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE"
  | "INTERNAL";

/** The one mapping from service errors to tRPC codes (tRPC derives the HTTP status from these). */
export const TRPC_CODE_OF = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
} as const satisfies Record<AppErrorCode, TRPC_ERROR_CODE_KEY>;

/** HTTP status of every tRPC code we can send, and what it means, for the OpenAPI document. */
export const HTTP_ERRORS = {
  BAD_REQUEST: { status: 400, description: "Invalid input: `issues` names each bad field" },
  PARSE_ERROR: { status: 400, description: "The body is not valid JSON" },
  UNAUTHORIZED: { status: 401, description: "Missing, invalid or expired credentials" },
  FORBIDDEN: { status: 403, description: "Authenticated, but not allowed to do this" },
  NOT_FOUND: { status: 404, description: "No such resource" },
  METHOD_NOT_SUPPORTED: { status: 405, description: "Wrong HTTP method for this route" },
  TIMEOUT: { status: 408, description: "The request took longer than REQUEST_TIMEOUT_MS to arrive" },
  CONFLICT: { status: 409, description: "Conflicts with the current state (e.g. email taken)" },
  PAYLOAD_TOO_LARGE: { status: 413, description: "Body, batch or upload too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: "Content type not accepted" },
  TOO_MANY_REQUESTS: { status: 429, description: "Rate limit exceeded" },
  INTERNAL_SERVER_ERROR: { status: 500, description: "Unexpected server error" },
  SERVICE_UNAVAILABLE: { status: 503, description: "A dependency (database, Redis) does not answer" },
} as const satisfies Partial<Record<TRPC_ERROR_CODE_KEY, { status: number; description: string }>>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/**
 * The error services throw. They never import `@trpc/server`; the error formatter maps
 * `code` through {@link TRPC_CODE_OF} and keeps `cause` for the logs.
 */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
  }
}

export const notFound = (what: string, id: string | number) => new AppError("NOT_FOUND", `${what} ${id} not found`);
