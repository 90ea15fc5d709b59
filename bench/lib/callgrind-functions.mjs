// Per-function instruction counts from a callgrind dump of node, with V8's JIT code named. callgrind knows
// JIT frames only by address; `node --perf-basic-prof` writes /tmp/perf-<pid>.map ("start size name" in
// hex), which names them. Hand-written because callgrind_annotate cannot read perf maps, and the dump's
// format (callgrind's "compressed names" and call lines) is small: see valgrind's callgrind format spec.
import { readFileSync } from "node:fs";

/**
 * The ranges of a perf map, sorted by start. V8 reuses the addresses of collected code, so a map holds
 * several entries for one address: the latest written (`order`) names what runs there now.
 */
export function readPerfMap(path) {
  const ranges = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/i.exec(line);
    if (!match) continue;
    const start = BigInt(`0x${match[1]}`);
    ranges.push({ start, end: start + BigInt(`0x${match[2]}`), name: match[3], order: ranges.length });
  }
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  ranges.longest = 0n; // BigInts: Math.max does not take them
  for (const range of ranges) if (range.end - range.start > ranges.longest) ranges.longest = range.end - range.start;
  return ranges;
}

function nameAt(ranges, address) {
  // The last range starting at or before the address, then back over every range that could still reach it.
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (ranges[mid].start <= address) low = mid + 1;
    else high = mid - 1;
  }
  let found;
  for (let i = high; i >= 0 && ranges[i].start + ranges.longest > address; i--) {
    const range = ranges[i];
    if (address < range.end && (!found || range.order > found.order)) found = range;
  }
  return found?.name;
}

/**
 * Self and inclusive instruction counts per function of one callgrind dump. Functions callgrind names
 * by address (`0x…`) take the perf map's name; several such entries of one JIT function add up.
 * Inclusive counts come from the dump's call lines, so a recursive function counts its inner calls twice.
 */
export function functionCosts(dumpText, perfMap = []) {
  const names = new Map(); // "(id)" → name, callgrind's compressed names
  const resolve = (spec) => {
    const match = /^(\(\d+\))\s*(.*)$/.exec(spec);
    let name = spec;
    if (match) {
      if (match[2]) names.set(match[1], match[2]);
      name = names.get(match[1]) ?? match[1];
    }
    if (/^0x[0-9a-f]+$/i.test(name)) name = nameAt(perfMap, BigInt(name)) ?? "JIT/unknown code";
    return name;
  };
  const self = new Map();
  const inclusiveCalls = new Map(); // caller → callee → cost
  let current;
  let callee;
  let afterCalls = false;
  for (const line of dumpText.split("\n")) {
    if (line.startsWith("fn=")) {
      current = resolve(line.slice(3));
      afterCalls = false;
    } else if (line.startsWith("cfn=")) {
      callee = resolve(line.slice(4));
    } else if (line.startsWith("calls=")) {
      afterCalls = true;
    } else if (/^[+\-*\d]/.test(line) && current !== undefined) {
      const cost = Number(line.trim().split(/\s+/)[1] ?? 0);
      if (afterCalls) {
        afterCalls = false;
        if (callee === current) continue; // a function calling itself: its own cost is counted already
        let row = inclusiveCalls.get(current);
        if (!row) {
          row = new Map();
          inclusiveCalls.set(current, row);
        }
        row.set(callee, (row.get(callee) ?? 0) + cost);
      } else {
        self.set(current, (self.get(current) ?? 0) + cost);
      }
    }
  }
  const inclusive = new Map(self);
  for (const [caller, row] of inclusiveCalls) {
    for (const cost of row.values()) inclusive.set(caller, (inclusive.get(caller) ?? 0) + cost);
  }
  return { self, inclusive, calls: inclusiveCalls };
}
