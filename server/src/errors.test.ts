import { describe, expect, it } from "vitest";
import { type AppErrorCode, HTTP_ERRORS, TRPC_CODE_OF } from "./errors.js";

describe("error codes", () => {
  it("every service error code maps to a tRPC code with a documented HTTP status", () => {
    const codes = Object.keys(TRPC_CODE_OF) as AppErrorCode[];
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) {
      const trpcCode = TRPC_CODE_OF[code];
      expect(HTTP_ERRORS, `${code} → ${trpcCode}`).toHaveProperty(trpcCode);
    }
  });
});
