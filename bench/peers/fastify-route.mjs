// Baseline peer: plain Fastify routes, the fastest thing a Fastify-based server can be.
// Every ratio in BENCHMARKS.md is relative to this process, measured in the same round.
import Fastify from "fastify";

const port = Number(process.env.PORT ?? 4101);

/** The W4 echo body, validated by Fastify's compiled JSON schema (ajv), the idiomatic fast path. */
const echoSchema = {
  type: "object",
  additionalProperties: false,
  required: ["title", "description", "price", "tags", "published"],
  properties: {
    title: { type: "string", minLength: 1, maxLength: 200 },
    description: { type: ["string", "null"] },
    price: { type: "number", minimum: 0 },
    tags: { type: "array", items: { type: "string" }, maxItems: 10 },
    published: { type: "boolean" },
  },
};

// logger off in every peer: logging per request would measure the logger, not the framework.
const app = Fastify({ logger: false });

app.get("/hello", async () => ({ hello: "world" }));

// The response schema lets Fastify use its compiled serializer, as a tuned Fastify app would.
app.post("/echo", { schema: { body: echoSchema, response: { 200: echoSchema } } }, async (req) => req.body);

await app.listen({ host: "127.0.0.1", port });
