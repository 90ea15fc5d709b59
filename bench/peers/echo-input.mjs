// The W4 echo body as a zod schema, shared by the zod-based peers (tRPC, oRPC, Hono).
// Same five rules as the Fastify JSON schema in fastify-route.mjs and the pydantic model in fastapi_app.py.
import { z } from "zod";

export const EchoInput = z.object({
  title: z.string().min(1).max(200),
  description: z.string().nullable(),
  price: z.number().min(0),
  tags: z.array(z.string()).max(10),
  published: z.boolean(),
});
