import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";
import { HTTP_ERRORS } from "../errors.js";
import type { AppRouter } from "../router.js";
import { procedureMetas } from "../trpc/meta.js";
import { ErrorBody } from "./error-body.js";

type Operation = {
  operationId?: string;
  requestBody?: unknown;
  responses: Record<string, { description?: string; content?: unknown }>;
};

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
const descriptionOf = (status: number) =>
  Object.values(HTTP_ERRORS).find((error) => error.status === status)?.description ?? "Error";

/**
 * The OpenAPI 3.1 document of every procedure with `meta.openapi`. trpc-to-openapi writes the
 * paths; we then make the responses say what the server really sends: the success status of
 * `meta.successStatus`, our one `Error` body, and the 413/415/500 any route with a body can return.
 */
export function buildOpenApiDocument(router: AppRouter, info: { version: string }): OpenAPIObject {
  const document = generateOpenApiDocument(router, {
    title: "Trellis API",
    version: info.version,
    description:
      "Users, items, rooms and JWT auth. Every REST route is the same procedure as its tRPC twin at `/trpc`; " +
      "subscriptions are described by the AsyncAPI document at `/api/asyncapi.json`. " +
      "Errors share one body: `{code, message, requestId, issues?}`.",
    baseUrl: "/api",
    docsUrl: "/docs",
    tags: ["health", "auth", "users", "items", "rooms"],
    securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });

  const successStatus = new Map<string, number>();
  for (const [, meta] of procedureMetas(router)) {
    if (meta.openapi && meta.successStatus) {
      successStatus.set(`${meta.openapi.method} ${meta.openapi.path}`, meta.successStatus);
    }
  }

  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      const routePath = path.replace(/^\/api/, "");
      const status = successStatus.get(`${method.toUpperCase()} ${routePath}`) ?? 200;
      rewriteResponses(operation, status);
    }
  }

  document.components ??= {};
  document.components.schemas = {
    ...Object.fromEntries(
      Object.entries(document.components.schemas ?? {}).filter(([name]) => !name.startsWith("error.")),
    ),
    Error: errorSchema() as never,
  };
  return document;
}

function rewriteResponses(operation: Operation, status: number) {
  const { 200: success, ...rest } = operation.responses;
  const responses: Operation["responses"] = {};
  if (success) {
    responses[status] = status === 204 ? { description: success.description ?? "No content" } : success;
  }
  const errorStatuses = new Set(Object.keys(rest).map(Number));
  if (operation.requestBody) {
    errorStatuses.add(413);
    errorStatuses.add(415);
  }
  errorStatuses.add(500);
  for (const code of [...errorStatuses].sort()) {
    responses[code] = { description: descriptionOf(code), content: errorContent };
  }
  operation.responses = responses;
}

/** The error body as JSON Schema 2020-12 (OpenAPI 3.1's dialect), inline rather than as its own $defs. */
function errorSchema() {
  const { $schema: _, ...schema } = z.toJSONSchema(ErrorBody, { io: "output", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return schema;
}
