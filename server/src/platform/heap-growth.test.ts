import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const moduleUrl = path.join(import.meta.dirname, "heap-growth.ts");

/**
 * In a fresh process: applies limitHeapGrowth after start-up (as main.ts does), runs a full
 * collection and returns the factors V8 reports for its next old-generation limit
 * (`--trace-gc-verbose` prints "[HeapController] Limit: old size: …, new limit: … (factor)").
 */
async function limitFactorsAfter(percent: number): Promise<string[]> {
  const script = `
    const { limitHeapGrowth } = await import(${JSON.stringify(moduleUrl)});
    limitHeapGrowth(${percent});
    globalThis.kept = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    globalThis.gc();
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--trace-gc-verbose", "--expose-gc", "--import", "tsx", "--input-type=module", "-e", script],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const afterStart = stdout.slice(stdout.lastIndexOf("[HeapController]"));
  return [...afterStart.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d)\)/g)].map((match) => match[1] as string);
}

describe("limitHeapGrowth", () => {
  it("sets the factor V8 uses for the next collection, at run time", async () => {
    expect(await limitFactorsAfter(30)).toEqual(["1.3"]);
    expect(await limitFactorsAfter(100)).toEqual(["2.0"]);
  });
});
