// The W4 echo body as a zod schema, shared by the zod-based peers (tRPC, oRPC, Hono) and by our own
// server's echo (trellis-echo.mjs, which builds it with the server's zod: `echoInputOf(z)`).
// Same five rules as the Fastify JSON schema in fastify-route.mjs and the pydantic model in fastapi_app.py.
import { z } from "zod";

export const echoInputOf = (zod) =>
  zod.object({
    title: zod.string().min(1).max(200),
    description: zod.string().nullable(),
    price: zod.number().min(0),
    tags: zod.array(zod.string()).max(10),
    published: zod.boolean(),
  });

export const EchoInput = echoInputOf(z);
