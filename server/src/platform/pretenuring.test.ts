import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const moduleUrl = path.join(import.meta.dirname, "pretenuring.ts");

/**
 * In a fresh process, optionally after stopPretenuring() (as main.ts calls it, after start-up):
 * keeps 2,000,000 objects of one allocation site alive across young collections, the pattern V8
 * pretenures, and returns V8's pretenuring decisions (`--trace-pretenuring-statistics` prints
 * "… maybe tenure => tenure" for each site it starts allocating in the old generation).
 */
async function tenureDecisions(stop: boolean): Promise<string[]> {
  const script = `
    if (${stop}) (await import(${JSON.stringify(moduleUrl)})).stopPretenuring();
    const make = (i) => ({ i, next: null });
    globalThis.kept = [];
    for (let i = 0; i < 2_000_000; i++) globalThis.kept.push(make(i));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    // V8 decides only after a young collection of a full-grown young generation: start it full-grown.
    [
      "--min-semi-space-size=16",
      "--trace-pretenuring-statistics",
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout.split("\n").filter((line) => line.includes("=> tenure"));
}

describe("stopPretenuring", () => {
  it("keeps V8 from allocating long-surviving objects straight into the old generation", async () => {
    expect((await tenureDecisions(false)).length).toBeGreaterThan(0);
    expect(await tenureDecisions(true)).toEqual([]);
  });
});
