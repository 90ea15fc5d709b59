import type { HandOff, HandOffToken } from "../platform/events/hand-off.js";

/** Tokens handed out and not yet sent, with the JSON-RPC envelope of their subscription once they are. */
const tokens = new WeakMap<HandOffToken, { envelope?: string }>();

/**
 * A subscription's hand-off to a WebSocket (see platform/events/hand-off.ts). When tRPC sends the
 * token, the encoder calls `acceptHandOff` with the subscription's JSON-RPC id; from then on the
 * writer builds each event's frame exactly as tRPC would — `{"id":…,"result":{"type":"data","id":…,
 * "data":…}}` — around the event's JSON, serialised once for all subscribers.
 */
export function socketHandOff<T>(
  send: (frame: string) => void,
  idOf: (event: T) => string | number,
  /** The frame from the event's id on (transformer.ts: `trackedEventTail`). */
  tailOf: (id: string, event: T) => string,
): HandOff<T> {
  const token: HandOffToken = Object.freeze({ handOff: true as const });
  const state: { envelope?: string } = {};
  tokens.set(token, state);
  return {
    token,
    take() {
      const { envelope } = state;
      if (envelope === undefined) return null;
      const head = `${envelope.slice(0, -1)},"result":{"type":"data","id":`;
      return (event) => {
        const id = String(idOf(event));
        send(frameOf(head, id, event, tailOf));
      };
    },
  };
}

/** The encoder saw `token` leave in the response to subscription `id`: nothing is sent for it. */
export function acceptHandOff(token: HandOffToken, id: unknown, jsonrpc: unknown): void {
  const state = tokens.get(token);
  if (state) state.envelope = JSON.stringify({ id, jsonrpc });
}

/** The last frame built, per event: subscribers with the same envelope (head) get the same string. */
const frames = new WeakMap<object, { head: string; id: string; frame: string }>();

function frameOf<T>(head: string, id: string, event: T, tailOf: (id: string, event: T) => string): string {
  if (typeof event !== "object" || event === null) return head + tailOf(id, event);
  const known = frames.get(event);
  if (known && known.head === head && known.id === id) return known.frame;
  const frame = head + tailOf(id, event);
  frames.set(event, { head, id, frame });
  return frame;
}
