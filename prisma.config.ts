import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI insists on a native schema engine binary even for `generate`, and would download one.
// Generation does not use it, so point it at a stub; migrations use the wasm engine (prisma/migrate.ts).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("prisma/schema-engine-stub.sh");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
});
