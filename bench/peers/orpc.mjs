// Peer: oRPC on node:http with both of its handlers on one server, since its earlier numbers were
// quoted for both: /rpc (its own RPC protocol) and /api (the OpenAPI handler, plain REST).
import { createServer } from "node:http";
import { OpenAPIHandler } from "@orpc/openapi/node";
import { os } from "@orpc/server";
import { RPCHandler } from "@orpc/server/node";
import { EchoInput } from "./echo-input.mjs";

const port = Number(process.env.PORT ?? 4104);

// `.route()` serves the OpenAPI handler; method GET also lets the RPC handler accept GET
// (its StrictGetMethodPlugin refuses GET for procedures not declared as GET).
const router = {
  hello: os.route({ method: "GET", path: "/hello" }).handler(() => ({ hello: "world" })),
  echo: os
    .route({ method: "POST", path: "/echo" })
    .input(EchoInput)
    .handler(({ input }) => input),
};

const rpc = new RPCHandler(router);
const openapi = new OpenAPIHandler(router);

const server = createServer(async (req, res) => {
  const rpcResult = await rpc.handle(req, res, { prefix: "/rpc", context: {} });
  if (rpcResult.matched) return;
  const apiResult = await openapi.handle(req, res, { prefix: "/api", context: {} });
  if (apiResult.matched) return;
  res.statusCode = 404;
  res.end("Not found");
});

server.listen(port, "127.0.0.1");
