import superjson from "superjson";
import { isHandOffToken } from "../platform/events/hand-off.js";
import { acceptHandOff } from "./hand-off.js";
import { deserializeParsedInput } from "./parsed-input.js";
import { serializeWithSuperjson } from "./plain-json.js";

type Serialized = ReturnType<typeof superjson.serialize>;

/** Serialised once: a frozen event, and its serialisation in a tracked envelope (`{ id, data }`) by id. */
const byValue = new WeakMap<object, Serialized>();
const byTrackedData = new WeakMap<object, { id: string; serialized: Serialized }>();
/** Every serialisation handed out from the caches above, and its JSON text once asked for. */
const shared = new WeakMap<object, string | null>();

function remember(serialized: Serialized): Serialized {
  shared.set(serialized, null);
  return serialized;
}

/**
 * superjson (past its walk for values that are plain JSON, with or without Dates: plain-json.ts, and without
 * copying inputs: parsed-input.ts), with one addition
 * for fan-out: an event sent to a thousand subscribers is serialised
 * once, not a thousand times. Only *frozen* values are remembered, as only they cannot change
 * between two serialisations; rooms freeze their messages for this (and so does the Redis bus for
 * what it receives). Each subscriber's tRPC envelope is a new `{ id, data }` object around the same
 * frozen message, so envelopes are remembered by their `data` and `id`.
 */
export const transformer = {
  // Inputs arrive freshly parsed, so they are annotated where they are instead of copied (parsed-input.ts).
  input: { serialize: superjson.serialize, deserialize: deserializeParsedInput },
  output: {
    serialize(value: unknown): Serialized {
      if (typeof value !== "object" || value === null) return serializeWithSuperjson(value);
      // Travels to the WebSocket encoder as it is, which sends nothing for it.
      if (isHandOffToken(value)) return value as unknown as Serialized;
      if (Object.isFrozen(value)) {
        const known = byValue.get(value);
        if (known) return known;
        const serialized = remember(serializeWithSuperjson(value));
        byValue.set(value, serialized);
        return serialized;
      }
      const envelope = trackedEnvelope(value);
      if (envelope) {
        const known = byTrackedData.get(envelope.data);
        if (known?.id === envelope.id) return known.serialized;
        const serialized = remember(serializeWithSuperjson(value));
        byTrackedData.set(envelope.data, { id: envelope.id, serialized });
        return serialized;
      }
      return serializeWithSuperjson(value);
    },
    deserialize: superjson.deserialize,
  },
};

const tails = new WeakMap<object, { id: string; tail: string }>();

/**
 * The end of a tracked event's WebSocket frame, from its id on: `"<id>","data":<json>}}` — the same
 * for every subscriber, so built once per (frozen) event.
 */
export function trackedEventTail(id: string, event: unknown): string {
  const frozen = typeof event === "object" && event !== null && Object.isFrozen(event);
  const known = frozen ? tails.get(event) : undefined;
  if (known?.id === id) return known.tail;
  const tail = `${JSON.stringify(id)},"data":${jsonOf(transformer.output.serialize({ id, data: event }))}}}`;
  if (frozen) tails.set(event, { id, tail });
  return tail;
}

/** JSON text of a serialisation, computed once for a shared one. */
function jsonOf(serialized: Serialized): string {
  if (!shared.has(serialized)) return JSON.stringify(serialized);
  let json = shared.get(serialized);
  if (!json) {
    json = JSON.stringify(serialized);
    shared.set(serialized, json);
  }
  return json;
}

function trackedEnvelope(value: object): { id: string; data: object } | undefined {
  const { id, data } = value as { id?: unknown; data?: unknown };
  if (typeof id !== "string" || typeof data !== "object" || data === null || !Object.isFrozen(data)) return undefined;
  return Object.keys(value).length === 2 ? { id, data } : undefined;
}

/** A tRPC WebSocket message, as the adapter hands it to its encoder. */
interface OutgoingMessage {
  id?: unknown;
  jsonrpc?: unknown;
  result?: { type?: unknown; id?: unknown; data?: unknown };
}

/**
 * tRPC's WebSocket encoder (JSON text frames), reusing the JSON text of a shared serialisation:
 * only the small envelope around it — whose subscription id differs per subscriber — is stringified
 * per message. Output is the same JSON `JSON.stringify` would produce, keys in another order.
 */
export const webSocketEncoder = {
  encode(message: unknown): string {
    const { result } = message as OutgoingMessage;
    const data = result?.data;
    if (isHandOffToken(data)) {
      acceptHandOff(data, (message as OutgoingMessage).id, (message as OutgoingMessage).jsonrpc);
      return "";
    }
    if (typeof data !== "object" || data === null || !shared.has(data)) return JSON.stringify(message);
    const json = jsonOf(data as Serialized);
    const { id, jsonrpc } = message as OutgoingMessage;
    const head = JSON.stringify({ id, jsonrpc, result: { type: result?.type, id: result?.id } });
    // head ends with the result's and the message's closing braces: "…}}".
    return `${head.slice(0, -2)},"data":${json}}}`;
  },
  decode(data: string | ArrayBuffer | Uint8Array): unknown {
    if (typeof data !== "string") throw new Error("Expected a text frame: this server speaks JSON");
    return JSON.parse(data);
  },
};
