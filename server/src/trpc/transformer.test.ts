import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { transformer, webSocketEncoder } from "./transformer.js";

const message = () =>
  Object.freeze({ id: 7, text: "hi", author: Object.freeze({ id: 1, name: "Ada" }), createdAt: new Date(0) });

describe("the fan-out transformer", () => {
  it("serialises as superjson does, so clients read it unchanged", () => {
    const frozen = message();
    for (const value of [frozen, { id: "7", data: frozen }, { plain: new Date(1) }, 42, null]) {
      const serialized = transformer.output.serialize(value);
      expect(serialized).toEqual(superjson.serialize(value as never));
      expect(superjson.deserialize(serialized)).toEqual(value);
    }
  });

  it("serialises a frozen event once for all subscribers, and never a value that may change", () => {
    const frozen = message();
    expect(transformer.output.serialize({ id: "7", data: frozen })).toBe(
      transformer.output.serialize({ id: "7", data: frozen }),
    );
    expect(transformer.output.serialize({ id: "8", data: frozen })).toEqual(
      superjson.serialize({ id: "8", data: frozen }),
    );
    const mutable = { count: 1 };
    transformer.output.serialize(mutable);
    mutable.count = 2;
    expect(transformer.output.serialize(mutable)).toEqual({ json: { count: 2 } });
  });

  it("encodes WebSocket messages to the JSON JSON.stringify would give", () => {
    const frozen = message();
    for (const subscription of [1, 2]) {
      const outgoing = {
        id: subscription,
        jsonrpc: "2.0",
        result: { type: "data", id: "7", data: transformer.output.serialize({ id: "7", data: frozen }) },
      };
      expect(JSON.parse(webSocketEncoder.encode(outgoing))).toEqual(JSON.parse(JSON.stringify(outgoing)));
    }
    const plain = { id: 3, result: { type: "started" } };
    expect(webSocketEncoder.encode(plain)).toBe(JSON.stringify(plain));
  });
});
