import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { DEV_JWT_SECRET, InvalidEnvError, loadEnv } from "./env.js";

describe("loadEnv", () => {
  it("names every bad variable in one error", () => {
    const error = (() => {
      try {
        loadEnv({ JWT_SECRET: "short", PORT: "eighty", DATABASE_URL: "mysql://x" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidEnvError);
    const message = (error as Error).message;
    expect(message).toContain("JWT_SECRET");
    expect(message).toContain("PORT");
    expect(message).toContain("DATABASE_URL");
  });

  it("refuses the development secret in production, accepts it in development", () => {
    expect(() =>
      loadEnv({ NODE_ENV: "production", JWT_SECRET: DEV_JWT_SECRET, SEED_ADMIN_PASSWORD: "a real one!" }),
    ).toThrow(/JWT_SECRET is the development default/);
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET }).PORT).toBe(3000);
  });

  it("sizes the database pool by the CPUs unless told", () => {
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET }).DATABASE_POOL_SIZE).toBe(availableParallelism() * 2 + 1);
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET, DATABASE_POOL_SIZE: "12" }).DATABASE_POOL_SIZE).toBe(12);
    expect(() => loadEnv({ JWT_SECRET: DEV_JWT_SECRET, DATABASE_POOL_SIZE: "0" })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it("prepares up to 100 distinct statements per connection unless told, 0 preparing none", () => {
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET }).DATABASE_STATEMENT_CACHE_SIZE).toBe(100);
    expect(
      loadEnv({ JWT_SECRET: DEV_JWT_SECRET, DATABASE_STATEMENT_CACHE_SIZE: "0" }).DATABASE_STATEMENT_CACHE_SIZE,
    ).toBe(0);
    expect(() => loadEnv({ JWT_SECRET: DEV_JWT_SECRET, DATABASE_STATEMENT_CACHE_SIZE: "-1" })).toThrow(
      /DATABASE_STATEMENT_CACHE_SIZE/,
    );
  });

  it("plans prepared statements generically unless told, and refuses a mode PostgreSQL does not have", () => {
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET }).DATABASE_PLAN_CACHE_MODE).toBe("force_generic_plan");
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET, DATABASE_PLAN_CACHE_MODE: "auto" }).DATABASE_PLAN_CACHE_MODE).toBe(
      "auto",
    );
    expect(() => loadEnv({ JWT_SECRET: DEV_JWT_SECRET, DATABASE_PLAN_CACHE_MODE: "generic" })).toThrow(
      /DATABASE_PLAN_CACHE_MODE/,
    );
  });

  it("pipelines the queries outside transactions on 2 connections unless told, 0 sending them through the pool", () => {
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET }).DATABASE_PIPELINED_CONNECTIONS).toBe(2);
    expect(
      loadEnv({ JWT_SECRET: DEV_JWT_SECRET, DATABASE_PIPELINED_CONNECTIONS: "0" }).DATABASE_PIPELINED_CONNECTIONS,
    ).toBe(0);
    expect(() => loadEnv({ JWT_SECRET: DEV_JWT_SECRET, DATABASE_PIPELINED_CONNECTIONS: "-1" })).toThrow(
      /DATABASE_PIPELINED_CONNECTIONS/,
    );
  });

  it("caps heap growth at 30% unless told, 0 leaving it to V8", () => {
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET }).HEAP_GROWTH_PERCENT).toBe(30);
    expect(loadEnv({ JWT_SECRET: DEV_JWT_SECRET, HEAP_GROWTH_PERCENT: "0" }).HEAP_GROWTH_PERCENT).toBe(0);
    expect(() => loadEnv({ JWT_SECRET: DEV_JWT_SECRET, HEAP_GROWTH_PERCENT: "-5" })).toThrow(/HEAP_GROWTH_PERCENT/);
  });

  it("is frozen", () => {
    const env = loadEnv({ JWT_SECRET: DEV_JWT_SECRET, CORS_ORIGINS: "https://a.example, https://b.example" });
    expect(Object.isFrozen(env)).toBe(true);
    expect(env.CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
  });
});
