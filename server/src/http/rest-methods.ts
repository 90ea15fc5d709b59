import type { OpenApiRouter } from "trpc-to-openapi";
import { createRestRouteLookup, routePathOf } from "./fast/rest-routes.js";

/** Every method the API answers: REST's (tRPC's GET and POST among them), and HEAD wherever GET. */
export const API_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The methods a REST route can have, in the order an `Allow` header lists them. */
const ROUTE_METHODS = API_METHODS.filter((method) => method !== "HEAD").sort();

/**
 * The methods each REST path answers, from the procedures' `meta.openapi`: a request for a path that
 * exists with another method gets 405 and an `Allow` header (RFC 9110 §15.5.6) rather than the 404
 * trpc-to-openapi answers for it. Returns the methods for a request target (without `/api`), empty when
 * no route has the path. The path is read and matched as trpc-to-openapi reads and matches it (URL
 * pathname, outer slashes trimmed, templates case-insensitive), by the lookup the fast path uses, so a
 * path is either a route for some method or a 404 whichever way it is spelled.
 */
export function restMethods(router: OpenApiRouter): (target: string) => string[] {
  const lookup = createRestRouteLookup(router);
  return (target) => {
    let path: string;
    try {
      path = routePathOf(target);
    } catch {
      return []; // no path to match: trpc-to-openapi answers it
    }
    return ROUTE_METHODS.filter((method) => lookup(method, path) !== undefined);
  };
}
