// Peer: Hono on @hono/node-server, the usual way to run Hono on Node.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { validator } from "hono/validator";
import { EchoInput } from "./echo-input.mjs";

const port = Number(process.env.PORT ?? 4103);

const app = new Hono();

app.get("/hello", (c) => c.json({ hello: "world" }));

// Hono's built-in validator with the shared zod schema: what @hono/zod-validator does, minus a dependency.
const validEcho = validator("json", (value, c) => {
  const parsed = EchoInput.safeParse(value);
  return parsed.success ? parsed.data : c.json({ error: "invalid body" }, 400);
});

app.post("/echo", validEcho, (c) => c.json(c.req.valid("json")));

serve({ fetch: app.fetch, hostname: "127.0.0.1", port });
