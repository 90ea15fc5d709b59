// What finding a REST route costs as an API grows: trpc-to-openapi's lookup (`createProcedureCache`, which
// tests each route's regular expression in declaration order) against ours (server/src/http/fast/
// rest-routes.ts, the same answers from the routes with as many "/" as the path). In-process, no HTTP:
// nanoseconds per lookup, best of 7 interleaved runs, for the app's router alone and with 40 and 200 more
// resources of five routes each (`/v1/r{n}`, `/v1/r{n}/{id}` ×3, `/v1/r{n}/{id}/children`).
// Needs a built server (npm run build).
//   node bench/rest-lookup.mjs

import { importBuilt, importServerPackage } from "./lib/server-modules.mjs";

const [{ appRouter }, { mergeRouters, router }, { publicProcedure }, { createRestRouteLookup }, openapi, { z }] =
  await Promise.all([
    importBuilt("router.js"),
    importBuilt("trpc/init.js"),
    importBuilt("trpc/procedures.js"),
    importBuilt("http/fast/rest-routes.js"),
    importServerPackage("trpc-to-openapi"),
    importServerPackage("zod"),
  ]);

/** `resources` extra resources of five routes each, declared after the app's own. */
function withResources(resources) {
  if (resources === 0) return appRouter;
  const procedures = {};
  const input = z.object({}).passthrough();
  const route = (method, path) => publicProcedure.meta({ openapi: { method, path } }).input(input);
  for (let n = 0; n < resources; n++) {
    procedures[`r${n}List`] = route("GET", `/v1/r${n}`).query(() => []);
    procedures[`r${n}Get`] = route("GET", `/v1/r${n}/{id}`).query(() => null);
    procedures[`r${n}Put`] = route("PUT", `/v1/r${n}/{id}`).mutation(() => null);
    procedures[`r${n}Delete`] = route("DELETE", `/v1/r${n}/{id}`).mutation(() => null);
    procedures[`r${n}Children`] = route("GET", `/v1/r${n}/{id}/children`).query(() => []);
  }
  return mergeRouters(appRouter, router({ extra: router(procedures) }));
}

/** The requests: the app's hot reads, and (when there are any) reads of the first and last extra resource. */
function requestsFor(resources) {
  const requests = [
    ["GET", "/health"],
    ["GET", "/v1/items"],
    ["GET", "/v1/items/42"],
    ["POST", "/v1/items"],
  ];
  if (resources > 0) requests.push(["GET", "/v1/r0/7"], ["GET", `/v1/r${resources - 1}/7/children`]);
  return requests;
}

function nsPerLookup(lookup, requests, rounds) {
  let found = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    for (const [method, path] of requests) if (lookup(method, path)) found++;
  }
  const ns = Number(process.hrtime.bigint() - start) / (rounds * requests.length);
  if (found !== rounds * requests.length) throw new Error("a request found no route");
  return ns;
}

console.log("| routes (REST) | stock ns/lookup | ours ns/lookup | stock ÷ ours |");
console.log("|---|---|---|---|");
for (const resources of [0, 40, 200]) {
  const openApiRouter = withResources(resources);
  const routes = Object.values(openApiRouter._def.procedures).filter((p) => p._def.meta?.openapi).length;
  const requests = requestsFor(resources);
  const stock = openapi.createProcedureCache(openApiRouter);
  const ours = createRestRouteLookup(openApiRouter);
  const rounds = Math.max(2_000, Math.round(400_000 / routes));
  const best = { stock: Infinity, ours: Infinity };
  for (let run = 0; run < 7; run++) {
    best.stock = Math.min(best.stock, nsPerLookup(stock, requests, rounds));
    best.ours = Math.min(best.ours, nsPerLookup(ours, requests, rounds));
  }
  console.log(
    `| ${routes} | ${best.stock.toFixed(0)} | ${best.ours.toFixed(0)} | ${(best.stock / best.ours).toFixed(1)} |`,
  );
}
