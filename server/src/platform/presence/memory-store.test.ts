import { describe, expect, it } from "vitest";
import { createMemoryPresenceStore } from "./memory-store.js";

describe("createMemoryPresenceStore", () => {
  it("gives every change of a space a higher version, also after the space emptied", async () => {
    const store = createMemoryPresenceStore();
    const ann = { id: 1, name: "Ann" };
    const versions = [
      (await store.add("room", "c1", ann)).version,
      (await store.remove("room", "c1")).version,
      // Another space changes in between; a watcher of "room" only ever sees versions grow.
      (await store.add("other", "c2", ann)).version,
      (await store.add("room", "c3", ann)).version,
    ];
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(await store.snapshot("room")).toEqual({ version: versions[3], members: [ann] });
  });
});
