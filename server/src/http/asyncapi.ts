import type { AnyRouter } from "@trpc/server";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AsyncApiMeta } from "../trpc/meta.js";

type JsonSchema = Record<string, unknown>;

/** What a WebSocket client sends first: its access token. */
const ConnectionParamsMessage = z.object({
  method: z.literal("connectionParams"),
  data: z.object({ token: z.string().meta({ description: "An access token from POST /api/v1/auth/login" }) }),
});

interface Subscription {
  path: string;
  meta: AsyncApiMeta;
  input: z.ZodType | undefined;
}

const DESCRIPTION = `Subscriptions of the Trellis API: the same tRPC procedures the typed client
(\`@trellis/client\`) subscribes to, documented for any client.

**WebSocket** (\`ws://<host>/trpc?connectionParams=1\`): first send
\`{"method":"connectionParams","data":{"token":"<accessToken>"}}\`, then subscribe with
\`{"id":1,"method":"subscription","params":{"path":"rooms.onMessage","input":{"json":{"room":"general"}}}}\`.
Events arrive as \`{"id":1,"result":{"type":"data","id":"<eventId>","data":{"json":{"id":"<eventId>","data":<event>},"meta":…}}}\`
(untracked events: \`"data":{"json":<event>}\`); stop with \`{"id":1,"method":"subscription.stop"}\`. Bodies are
[superjson](https://github.com/flightcontrolhq/superjson): \`json\` is plain JSON, \`meta\` says which fields were Dates.
Answer \`PING\` with \`PONG\`. \`{"id":null,"method":"reconnect"}\` asks you to reconnect (shutdown, or your token
expired): open a new connection and subscribe again with \`"lastEventId"\` in \`params\`.

**Server-sent events** (\`GET /trpc/<path>?input=<url-encoded superjson>\` with \`Authorization: Bearer <accessToken>\`):
each event's \`data\` is \`{"json":<event>,"meta":…}\` and its \`id\` is the event id; reconnect with \`Last-Event-ID\`.

An expired token ends subscriptions with UNAUTHORIZED (SSE), or gets a reconnect request (WebSocket).`;

/**
 * The AsyncAPI 3.1 document of every subscription with `meta.asyncapi`: one channel per procedure,
 * its subscribe input and event payload as JSON Schema generated from the procedure's zod schemas,
 * and the two ways to authenticate. No tRPC or OpenAPI tool documents subscriptions; this does.
 */
export function buildAsyncApiDocument(router: AnyRouter, info: { version: string }) {
  const subscriptions = subscriptionsOf(router);
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const { path, meta, input } of subscriptions) {
    const channelRef = { $ref: `#/channels/${path}` };
    messages[`${path}.event`] = {
      name: `${path}.event`,
      title: meta.tracked ? "Event (with an id to resume after)" : "Event",
      payload: toJsonSchema(meta.event, "output"),
    };
    const channelMessages: Record<string, unknown> = { event: { $ref: `#/components/messages/${path}.event` } };
    if (input) {
      messages[`${path}.input`] = {
        name: `${path}.input`,
        title: "Subscription input",
        payload: toJsonSchema(input, "input"),
      };
      channelMessages.input = { $ref: `#/components/messages/${path}.input` };
    }
    channels[path] = {
      address: path,
      title: path,
      summary: meta.summary,
      ...(meta.description ? { description: meta.description } : {}),
      messages: channelMessages,
    };
    operations[path] = {
      action: "send",
      title: `Stream ${path}`,
      summary: meta.summary,
      channel: channelRef,
      messages: [{ $ref: `#/channels/${path}/messages/event` }],
    };
    if (input) {
      operations[`${path}.subscribe`] = {
        action: "receive",
        title: `Subscribe to ${path}`,
        summary: meta.tracked ? "Start the stream; with `lastEventId`, resume after that event" : "Start the stream",
        channel: channelRef,
        messages: [{ $ref: `#/channels/${path}/messages/input` }],
      };
    }
  }

  channels.connectionParams = {
    address: "connectionParams",
    title: "Authentication (WebSocket)",
    summary: "The first message on a connection opened with `?connectionParams=1`",
    messages: { connectionParams: { $ref: "#/components/messages/connectionParams" } },
  };
  operations.authenticate = {
    action: "receive",
    title: "Authenticate a WebSocket connection",
    channel: { $ref: "#/channels/connectionParams" },
    messages: [{ $ref: "#/channels/connectionParams/messages/connectionParams" }],
  };
  messages.connectionParams = {
    name: "connectionParams",
    title: "Connection parameters",
    payload: toJsonSchema(ConnectionParamsMessage, "input"),
  };

  return {
    asyncapi: "3.1.0",
    info: { title: "Trellis live API", version: info.version, description: DESCRIPTION },
    defaultContentType: "application/json",
    servers: serversFor("localhost:3000"),
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        connectionParams: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "WebSocket: connect with `?connectionParams=1`, then send the access token (from `POST /api/v1/auth/login`) " +
            'as the first message: `{"method":"connectionParams","data":{"token":"<accessToken>"}}`. It is checked at every ' +
            "subscription's start; a missing or bad token ends that subscription with UNAUTHORIZED.",
        },
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "Server-sent events: the access token",
        },
      },
    },
  };
}

function serversFor(host: string) {
  return {
    websocket: {
      host,
      protocol: "ws",
      pathname: "/trpc",
      title: "WebSocket",
      summary: "Every subscription over one connection",
      security: [{ $ref: "#/components/securitySchemes/connectionParams" }],
    },
    sse: {
      host,
      protocol: "http",
      pathname: "/trpc",
      title: "Server-sent events",
      summary: "One HTTP request per subscription: GET /trpc/<channel>",
      security: [{ $ref: "#/components/securitySchemes/bearer" }],
    },
  };
}

/** Serves the document at `/api/asyncapi.json`, its servers pointing at the host that was asked. */
export function registerAsyncApi(app: FastifyInstance, document: ReturnType<typeof buildAsyncApiDocument>) {
  app.get("/api/asyncapi.json", { logLevel: "warn" }, async (request) => ({
    ...document,
    servers: serversFor(request.host),
  }));
}

function subscriptionsOf(router: AnyRouter): Subscription[] {
  return Object.entries(router._def.procedures).flatMap(([path, procedure]) => {
    const def = (procedure as { _def: { type: string; meta?: { asyncapi?: AsyncApiMeta }; inputs: unknown[] } })._def;
    const meta = def.meta?.asyncapi;
    if (def.type !== "subscription" || !meta) return [];
    const input = def.inputs[0] as z.ZodType | undefined;
    return [{ path, meta, input: input && !(input instanceof z.ZodVoid) ? input : undefined }];
  });
}

/** JSON Schema (draft-07, which AsyncAPI schemas extend) of a zod schema, self-contained. */
function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    target: "draft-7",
    io,
    unrepresentable: "any",
    // Dates travel as ISO strings in superjson's `json` part.
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === "date")
        Object.assign(ctx.jsonSchema, { type: "string", format: "date-time" });
    },
  }) as JsonSchema;
  const {
    $schema: _,
    definitions = {},
    ...root
  } = generated as JsonSchema & { definitions?: Record<string, JsonSchema> };
  return tidy(inlineRefs(root, definitions)) as JsonSchema;
}

/** Replaces `#/definitions/X` references (relative to a document we do not serve) with their schema. */
function inlineRefs(node: unknown, definitions: Record<string, JsonSchema>): unknown {
  if (Array.isArray(node)) return node.map((child) => inlineRefs(child, definitions));
  if (!node || typeof node !== "object") return node;
  const { $ref, ...rest } = node as JsonSchema;
  if (typeof $ref === "string" && $ref.startsWith("#/definitions/")) {
    const name = $ref.slice("#/definitions/".length);
    return { title: name, ...(inlineRefs(definitions[name], definitions) as JsonSchema), ...rest };
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlineRefs(value, definitions)]));
}

/** Drops zod-openapi's `override` hint and turns `example` into JSON Schema's `examples`. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!node || typeof node !== "object") return node;
  const { override: _, example, ...rest } = node as JsonSchema;
  const out = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, tidy(value)]));
  return example === undefined ? out : { ...out, examples: [example] };
}
