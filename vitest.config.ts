import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Quiet servers in tests; each test file builds its own server on port 0.
    env: { NODE_ENV: "test", LOG_LEVEL: "silent" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers than that only make PGlite start-ups fight for CPU.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "server", include: ["server/src/**/*.test.ts"] } },
      { extends: true, test: { name: "e2e", include: ["tests/**/*.test.ts"] } },
    ],
  },
});
