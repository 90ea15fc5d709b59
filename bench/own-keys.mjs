// The own-key test inside a `for…in` loop, three ways, on the W4 echo's five-field object as JSON.parse
// makes it: `Object.hasOwn(o, k)`, `hasOwnProperty.call(o, k)` with the constant in this module, and the
// same with the constant imported from another module (a live binding: bench/lib/own-property.mjs).
// Why server/src/trpc/plain-json.ts, and the three other modules with such a loop, each keep their own
// `ownProperty` constant; BENCHMARKS.md has the figures.
//   node bench/own-keys.mjs [--rounds 3]
import { parseArgs } from "node:util";
import { ownProperty as importedOwnProperty } from "./lib/own-property.mjs";

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });

const ownProperty = Object.prototype.hasOwnProperty;

// Three copies of one loop on purpose: V8 optimizes each call site by what it calls, so each way of
// testing needs a loop of its own (a shared loop taking the test as an argument would measure the call).
function withObjectHasOwn(record) {
  let strings = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (typeof record[key] === "string") strings++;
  }
  return strings;
}

function withLocalConstant(record) {
  let strings = 0;
  for (const key in record) {
    if (!ownProperty.call(record, key)) continue;
    if (typeof record[key] === "string") strings++;
  }
  return strings;
}

function withImportedConstant(record) {
  let strings = 0;
  for (const key in record) {
    if (!importedOwnProperty.call(record, key)) continue;
    if (typeof record[key] === "string") strings++;
  }
  return strings;
}

const records = Array.from({ length: 1_000 }, (_, i) =>
  JSON.parse(`{"title":"t${i}","description":null,"price":${i},"tags":["a"],"published":true}`),
);

/** ns per call, after a warm-up long enough for the optimizing compiler. */
function measure(loop) {
  let sink = 0;
  for (let r = 0; r < 2_000; r++) for (const record of records) sink += loop(record);
  const passes = 5_000;
  const start = process.hrtime.bigint();
  for (let r = 0; r < passes; r++) for (const record of records) sink += loop(record);
  const ns = Number(process.hrtime.bigint() - start) / (passes * records.length);
  // Every record has one string field ("title"): a loop that skipped or repeated fields would show here.
  if (sink !== (2_000 + passes) * records.length) throw new Error(`wrong count ${sink}`);
  return ns;
}

const loops = {
  "Object.hasOwn": withObjectHasOwn,
  "local constant": withLocalConstant,
  "imported constant": withImportedConstant,
};
for (let round = 1; round <= Number(args.rounds); round++) {
  const line = Object.entries(loops).map(([name, loop]) => `${name} ${measure(loop).toFixed(1)} ns`);
  console.log(`round ${round}: ${line.join(", ")} per five-key object`);
}
