import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { HTTP_ERRORS, type HttpErrorCode } from "../errors.js";
import type { FieldIssue } from "../trpc/error-formatter.js";

/** The one error body of every REST route, documented in OpenAPI as `Error`. */
export const ErrorBody = z
  .object({
    code: z.string().meta({ description: "tRPC error code, e.g. NOT_FOUND", example: "NOT_FOUND" }),
    message: z.string().meta({ example: "Item 42 not found" }),
    requestId: z.string().meta({ description: "Echoes the x-request-id response header" }),
    issues: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional()
      .meta({ description: "Only on validation errors: one entry per bad field" }),
  })
  .meta({ description: "Every error answer has this shape" });

export type ErrorBody = z.output<typeof ErrorBody> & { stack?: string };

export function errorBody(
  code: string,
  message: string,
  requestId: string,
  extra?: { issues?: FieldIssue[]; stack?: string },
): ErrorBody {
  const body: ErrorBody = { code, message, requestId };
  if (extra?.issues) body.issues = extra.issues;
  if (extra?.stack) body.stack = extra.stack;
  return body;
}

/** Sends an error body for errors raised outside tRPC (routing, body parsing, host checks). */
export function sendError(request: FastifyRequest, reply: FastifyReply, code: HttpErrorCode, message: string) {
  return reply
    .code(HTTP_ERRORS[code].status)
    .type("application/json")
    .send(errorBody(code, message, request.id));
}
