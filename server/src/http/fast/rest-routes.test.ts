import { createProcedureCache, type OpenApiMethod, type OpenApiRouter } from "trpc-to-openapi";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "../../router.js";
import { router } from "../../trpc/init.js";
import { publicProcedure } from "../../trpc/procedures.js";
import { createRestRouteLookup } from "./rest-routes.js";

const METHODS: OpenApiMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** One procedure per [method, template], declared in this order (the order decides overlaps). */
function routerOf(routes: [OpenApiMethod, `/${string}`][]): OpenApiRouter {
  const procedures = Object.fromEntries(
    routes.map(([method, path], i) => {
      const base = publicProcedure.meta({ openapi: { method, path } }).input(z.object({}).passthrough());
      return [`p${i}`, method === "GET" ? base.query(() => i) : base.mutation(() => i)];
    }),
  );
  return router(procedures) as unknown as OpenApiRouter;
}

/** What a lookup answered, in a form `toStrictEqual` compares: the procedure by identity, the parameters by value. */
function answerOf(lookup: ReturnType<typeof createProcedureCache>, method: OpenApiMethod | "HEAD", path: string) {
  const found = lookup(method, path);
  if (!found) return found;
  return {
    procedure: found.procedure?.procedure,
    type: found.procedure?.type,
    path: found.procedure?.path,
    pathInput: { ...found.pathInput },
  };
}

function expectSameAnswers(openApiRouter: OpenApiRouter, paths: string[]) {
  const stock = createProcedureCache(openApiRouter);
  const ours = createRestRouteLookup(openApiRouter);
  let found = 0;
  for (const method of [...METHODS, "HEAD" as const]) {
    for (const path of paths) {
      const expected = answerOf(stock, method, path);
      if (expected) found++;
      expect(answerOf(ours, method, path), `${method} ${path}`).toStrictEqual(expected);
    }
  }
  return found;
}

const TEMPLATES: [OpenApiMethod, `/${string}`][] = [
  ["GET", "/health"],
  ["GET", "/{slug}"],
  ["GET", "/v1/items"],
  ["GET", "/v1/items/{id}"],
  // Declared after /v1/items/{id}, so never found: the stock lookup's first match wins, not the static route.
  ["GET", "/v1/items/search"],
  ["GET", "/v1/items/{id}/tags/{tag}"],
  ["GET", "/files/{name}.json"],
  ["GET", "/v1.0/legacy"],
  ["GET", "/a+b/{x}"],
  ["GET", "/V1/Users/me/"],
  ["GET", "/v1/users/{id}"],
  ["GET", "/"],
  ["POST", "/v1/items"],
  ["POST", "/v1/items"],
  ["POST", "/v1/rooms/{room}/messages"],
  ["POST", "/{a}/{b}"],
  ["PUT", "/v1/items/{id}"],
  ["PATCH", "/v1/items/{id}"],
  ["DELETE", "/v1/items/{id}"],
  ["DELETE", "/x.y/{id}"],
];

const SEGMENTS = ["v1", "V1", "items", "ITEMS", "42", "search", "tags", "t", "users", "me", "rooms", "r1", "messages"];
const ODD_PATHS = [
  "/",
  "",
  "/health",
  "/HEALTH",
  "/health/",
  "//health",
  "/files/report.json",
  "/files/a/b.json",
  "/files/report.jsonx",
  "/files/reportXjson",
  "/v1.0/legacy",
  "/v1/0/legacy",
  "/v1x0/legacy",
  "/a+b/1",
  "/aab/1",
  "/ab/1",
  "/v1/users/me",
  "/x.y/7",
  "/x/y/7",
  "/v1/items/%2F",
  "/v1/items/ünï",
  "/v1/items/a b",
  "/v1/items/42/tags/",
];

describe("REST route lookup", () => {
  it("finds what trpc-to-openapi's lookup finds for every method and path, overlaps and odd templates included", () => {
    const paths = [...ODD_PATHS];
    // Every path of up to four segments from the pool, and a deterministic sample of longer ones.
    const grow = (prefix: string, depth: number) => {
      if (depth === 0) return;
      for (const segment of SEGMENTS) {
        const path = `${prefix}/${segment}`;
        paths.push(path);
        if (depth > 1 && paths.length < 40_000) grow(path, depth - 1);
      }
    };
    grow("", 4);
    const found = expectSameAnswers(routerOf(TEMPLATES), paths);
    // The corpus must reach routes, or agreeing on "nothing found" would prove nothing.
    expect(found).toBeGreaterThan(300);
  });

  it("keeps declaration order when a template with regular-expression syntax comes before or after the others", () => {
    const paths = ["/x.y/1", "/x/y/1", "/xzy/1", "/q/1", "/q/1/2", "/q.r", "/qzr"];
    expect(
      expectSameAnswers(
        routerOf([
          ["GET", "/x.y/{id}"],
          ["GET", "/{a}/{b}"],
          ["GET", "/q.r"],
        ]),
        paths,
      ),
    ).toBe(6);
    expect(
      expectSameAnswers(
        routerOf([
          ["GET", "/{a}/{b}"],
          ["GET", "/x.y/{id}"],
          ["GET", "/q.r"],
        ]),
        paths,
      ),
    ).toBe(6);
  });

  it("finds what trpc-to-openapi finds for the app's own routes", () => {
    const paths = [
      "/health",
      "/v1/items",
      "/v1/items/12",
      "/v1/items/abc",
      "/v1/users",
      "/v1/users/me",
      "/v1/users/3",
      "/v1/auth/login",
      "/v1/auth/refresh",
      "/v1/rooms/lobby/messages",
      "/v1/reports/5",
      "/v1/nothing",
      "/V1/ITEMS",
    ];
    expect(expectSameAnswers(appRouter as unknown as OpenApiRouter, paths)).toBeGreaterThan(10);
  });
});
