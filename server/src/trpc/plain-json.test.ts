import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { serializeWithSuperjson } from "./plain-json.js";

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const shared = { id: 1 };
const circular: Record<string, unknown> = { name: "loop" };
circular.self = circular;
// A hole (new Array leaves its slots empty), not an undefined element.
const sparse: number[] = new Array(3);
sparse[0] = 1;
sparse[2] = 3;
const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [true, null] });

/** Values a procedure can return: plain JSON, and every kind superjson annotates or refuses. */
const CORPUS: [string, unknown][] = [
  ["a string", "ok"],
  ["a number", 12.5],
  ["zero", 0],
  ["minus zero", -0],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["true", true],
  ["null", null],
  ["undefined", undefined],
  ["a bigint", 10n],
  ["a plain object", { status: "ok" }],
  ["the W4 echo", { title: "A widget", description: null, price: 12.5, tags: ["a", "b"], published: true }],
  [
    "nested arrays and objects",
    {
      rows: [
        { id: 1, tags: [] },
        { id: 2, tags: ["x"] },
      ],
      total: 2,
    },
  ],
  ["an empty object and array", { a: {}, b: [] }],
  ["an object without a prototype", nullPrototype],
  ["a Date inside", { createdAt: new Date(0), title: "t" }],
  ["undefined inside an object", { a: 1, b: undefined }],
  ["undefined inside an array", [1, undefined]],
  ["a hole in an array", sparse],
  ["NaN inside", { score: Number.NaN }],
  ["minus zero inside", [0, -0]],
  ["a Map", { m: new Map([["k", 1]]) }],
  ["a Set", new Set([1])],
  ["a class instance", { p: new Point(1, 2) }],
  ["a RegExp", /x/g],
  ["a repeated object", { a: shared, b: shared }],
  [
    "a repeated array",
    (() => {
      const list = [1];
      return [list, list];
    })(),
  ],
  ["a circular object", circular],
  ["a function inside", { f: () => 1, a: 1 }],
];

describe("serializeWithSuperjson", () => {
  it.each(CORPUS)("serializes %s as superjson does", (_name, value) => {
    const ours = serializeWithSuperjson(value);
    const theirs = superjson.serialize(value as never);
    expect(ours).toEqual(theirs);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    expect(superjson.deserialize(ours)).toEqual(superjson.deserialize(theirs));
  });

  it("throws superjson's error for a key superjson refuses", () => {
    const polluting = JSON.parse('{"__proto__": {"admin": true}}');
    expect(() => superjson.serialize(polluting)).toThrow(/prototype pollution/);
    expect(() => serializeWithSuperjson(polluting)).toThrow(/prototype pollution/);
    expect(() => serializeWithSuperjson({ nested: { constructor: 1 } })).toThrow(/prototype pollution/);
  });
});

describe("serializeWithSuperjson's shortcut", () => {
  it("is on: superjson's registry of custom transformers is where it looks for it, and empty", () => {
    const registry = (superjson as unknown as { defaultInstance?: { customTransformerRegistry?: { size: number } } })
      .defaultInstance?.customTransformerRegistry;
    expect(registry?.size).toBe(0);
    // The shortcut hands back the value itself where superjson would have copied it.
    const value = { status: "ok" };
    expect(serializeWithSuperjson(value).json).toBe(value);
    expect(superjson.serialize(value).json).not.toBe(value);
  });
});
