import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { OpenAPIObject } from "trpc-to-openapi";

/**
 * `/api/openapi.json` and interactive docs at `/docs`. Swagger UI's assets come from the installed
 * swagger-ui-dist package, so the docs work offline and behind a strict CSP.
 */
export async function registerDocs(app: FastifyInstance, document: OpenAPIObject) {
  app.get("/api/openapi.json", { logLevel: "warn" }, async () => document);
  await app.register(swagger, { mode: "static", specification: { document: document as never } });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    uiConfig: { persistAuthorization: true, deepLinking: true },
  });
}
