import { describe, expect, it } from "vitest";
import { createRequestIds } from "./request-ids.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("request ids", () => {
  it("are well-formed v4 UUIDs that never repeat within a process", () => {
    const next = createRequestIds();
    const ids = Array.from({ length: 10_000 }, next);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("count in their last group, in hex", () => {
    const next = createRequestIds();
    const ids = Array.from({ length: 300 }, next);
    expect(ids.map((id) => Number.parseInt(id.slice(24), 16))).toEqual(ids.map((_, index) => index + 1));
  });

  it("differ between processes from the first id on", () => {
    const first = createRequestIds();
    const second = createRequestIds();
    expect(first()).not.toBe(second());
    expect(first().slice(0, 24)).not.toBe(second().slice(0, 24));
  });
});
