import type { OpenApiRouter } from "trpc-to-openapi";
import { procedureMetas } from "../trpc/meta.js";

/** Every method the API answers: REST's (tRPC's GET and POST among them), and HEAD wherever GET. */
export const API_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * The methods each REST path answers, from the procedures' `meta.openapi`: a request for a path that
 * exists with another method gets 405 and an `Allow` header (RFC 9110 §15.5.6) rather than the 404
 * trpc-to-openapi answers for it. Returns the methods for a request path (without `/api` and query),
 * empty when no route has the path.
 */
export function restMethods(router: OpenApiRouter): (path: string) => string[] {
  const routes = procedureMetas(router).flatMap(([, meta]) => {
    if (!meta.openapi) return [];
    // `{param}` matches one segment, as trpc-to-openapi matches it.
    const pattern = meta.openapi.path
      .replace(/\/+$/, "")
      .split("/")
      .map((segment) => (/^\{.+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    return [{ pattern: new RegExp(`^${pattern}/?$`), method: meta.openapi.method }];
  });
  return (path) => {
    const methods = routes.filter((route) => route.pattern.test(path)).map((route) => route.method);
    return [...new Set(methods)].sort();
  };
}
