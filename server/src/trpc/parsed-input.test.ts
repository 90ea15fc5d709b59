import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { deserializeParsedInput } from "./parsed-input.js";

const shared = { id: 1 };
/** Inputs as clients send them: superjson's serialization, then JSON text. */
const values: [string, unknown][] = [
  ["a validated write", { title: "Lamp", description: null, price: 12.5, tags: ["a", "b"], count: 3 }],
  ["nested arrays and objects", { a: [[1, 2], [{ b: [true, false, null] }]], c: { d: { e: "ü✓" } } }],
  ["scalars", 42],
  ["a string", "text"],
  ["null", null],
  ["Dates", { at: new Date(0), list: [new Date(1), new Date(-1)] }],
  ["undefined fields and items", { a: undefined, list: [1, undefined, 3] }],
  ["odd numbers", { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, negZero: -0 }],
  ["a BigInt", { n: 10n ** 20n }],
  ["a Map and a Set", { map: new Map([["k", new Date(5)]]), set: new Set([1, 2]) }],
  ["a RegExp", { re: /a+/gi }],
  ["one object twice", { first: shared, second: shared, list: [shared] }],
  ["empty containers", { o: {}, a: [] }],
  ["index-like keys", { 2: "two", 1: "one", x: "x" }],
];

/** Hand-written payloads a client could send, with `__proto__` keys superjson's copy leaves out. */
const protoTexts: [string, string][] = [
  ["at the top", '{"json":{"__proto__":{"admin":true},"name":"x"}}'],
  ["nested", '{"json":{"user":{"__proto__":{"admin":true},"name":"x"},"list":[{"__proto__":1}]}}'],
  [
    "with annotations",
    '{"json":{"at":"1970-01-01T00:00:00.000Z","o":{"__proto__":{"x":1}}},"meta":{"values":{"at":["Date"]},"v":1}}',
  ],
  ["the only key", '{"json":{"__proto__":null}}'],
];

const viaSuperjson = (text: string) => superjson.deserialize(JSON.parse(text));
const viaParsedInput = (text: string) => deserializeParsedInput(JSON.parse(text));

describe("deserializeParsedInput", () => {
  it("gives what superjson.deserialize gives for every kind of input", () => {
    for (const [name, value] of values) {
      const text = JSON.stringify(superjson.serialize(value as never));
      const ours = viaParsedInput(text);
      expect(ours, name).toEqual(viaSuperjson(text));
      expect(ours, name).toEqual(value);
    }
  });

  it("keeps the same object twice where the client sent one object twice", () => {
    const text = JSON.stringify(superjson.serialize({ first: shared, second: shared }));
    const ours = viaParsedInput(text) as { first: object; second: object };
    expect(ours.first).toBe(ours.second);
  });

  it("leaves out __proto__ keys as superjson does, and never turns them into a prototype", () => {
    for (const [name, text] of protoTexts) {
      const ours = viaParsedInput(text);
      const theirs = viaSuperjson(text);
      expect(ours, name).toEqual(theirs);
      expect(JSON.stringify(ours), name).toBe(JSON.stringify(theirs));
      const walk = (value: unknown) => {
        if (typeof value !== "object" || value === null || value instanceof Date) return;
        if (!Array.isArray(value)) {
          expect(Object.hasOwn(value, "__proto__"), name).toBe(false);
          expect(Object.getPrototypeOf(value), name).toBe(Object.prototype);
        }
        for (const item of Object.values(value)) walk(item);
      };
      walk(ours);
    }
  });

  it("annotates the parsed value itself instead of a copy of it", () => {
    const parsed = JSON.parse('{"json":{"title":"Lamp","tags":["a"]}}');
    const json = parsed.json;
    expect(deserializeParsedInput(parsed)).toBe(json);
  });

  it("leaves what JSON.parse cannot make to superjson's copy", () => {
    class Box {
      value = 1;
    }
    const box = new Box();
    const payload = { json: { box, plain: { __proto__: null, x: 1 } } };
    const result = deserializeParsedInput(payload) as { box: Box };
    expect(result).toEqual(superjson.deserialize({ json: { box, plain: { __proto__: null, x: 1 } } } as never));
    expect(result).not.toBe(payload.json);
    expect(result.box).toBe(box);
    expect(() => deserializeParsedInput(undefined)).toThrow(TypeError);
  });
});
