import type { FastifyError, FastifyInstance } from "fastify";
import type { HttpErrorCode } from "../errors.js";
import { sendError } from "./error-body.js";

/** Fastify's own errors (body parsing, limits) in our body, so no route ever answers differently. */
const CODE_OF_STATUS: Record<number, HttpErrorCode> = {
  400: "BAD_REQUEST",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
};

export function registerFallbacks(app: FastifyInstance) {
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, "NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}`),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    const code = CODE_OF_STATUS[status];
    if (!code) {
      request.log.error({ err: error }, "unhandled error");
      return sendError(request, reply, "INTERNAL_SERVER_ERROR", "Internal server error");
    }
    if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
      return sendError(request, reply, "PARSE_ERROR", "The request body is not valid JSON");
    }
    return sendError(request, reply, code, error.message);
  });
}
