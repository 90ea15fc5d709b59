import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";

export type SchemaEngine = bindings.SchemaEngine;
export type {
  DiagnoseMigrationHistoryOutput,
  MigrationList,
  SchemaFilter,
} from "@prisma/schema-engine-wasm/schema_engine_bg";

/** A migration connection plus whatever must be released after the engine is done with it. */
export interface MigrationConnector {
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** Releases pools and shadow databases even when the engine failed half-way. */
  close(): Promise<void>;
}

/** The Rust panic hook in the wasm reports its message here (pitfall 1: it must exist before any call). */
class WasmPanicRegistry {
  private message = "";
  get(): string {
    return this.message;
  }
  set_message(value: string): void {
    this.message = `RuntimeError: ${value}`;
  }
}

declare global {
  var PRISMA_WASM_PANIC_REGISTRY: WasmPanicRegistry | undefined;
  var __trellisSchemaEngineWasm: WeakMap<object, Promise<void>> | undefined;
}

/**
 * The package's own entry does `import * as wasm from "./schema_engine_bg.wasm"`, which Node 20 only
 * loads behind --experimental-wasm-modules; so instantiate the wasm ourselves against its JS glue.
 * Keyed by the glue module, because test runners may evaluate this file many times per process.
 */
function loadWasm(): Promise<void> {
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= new WasmPanicRegistry();
  globalThis.__trellisSchemaEngineWasm ??= new WeakMap();
  const loaded = globalThis.__trellisSchemaEngineWasm;
  let ready = loaded.get(bindings);
  if (!ready) {
    ready = instantiate();
    loaded.set(bindings, ready);
  }
  return ready;
}

/** The slice of the WebAssembly API used here (the ES2023 lib without DOM does not declare it). */
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

async function instantiate(): Promise<void> {
  const entry = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm");
  const imports: Record<string, unknown> = { ...bindings };
  for (const [name, value] of Object.entries(bindings)) {
    if (!name.startsWith("__wbg_setTimeout_") || typeof value !== "function") continue;
    const setTimer = value as (...args: unknown[]) => NodeJS.Timeout | undefined;
    // The engine arms a 10 s timer per connection; unref'd it cannot keep a finished process alive (pitfall 6).
    imports[name] = (...args: unknown[]) => {
      const timer = setTimer(...args);
      timer?.unref?.();
      return timer;
    };
  }
  const bytes = await readFile(path.join(path.dirname(entry), "schema_engine_bg.wasm"));
  const { instance } = await wasmApi.instantiate(bytes, { "./schema_engine_bg.js": imports });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
}

/**
 * Runs `fn` against a schema engine connected through `connector`. The engine is freed only after
 * `fn`'s awaited calls have settled (freeing it under a pending call corrupts the wasm heap, pitfall 1),
 * then the connector's pools and shadow databases are released.
 */
export async function withSchemaEngine<T>(
  connector: MigrationConnector,
  schema: { path: string; content: string },
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const factory = bindMigrationAwareSqlAdapterFactory(connector.factory);
  try {
    await loadWasm();
    const engine = await bindings.SchemaEngine.new(
      { datamodels: [[schema.path, schema.content]] },
      () => {}, // JSON tracing lines; our callers log what matters themselves.
      factory,
    );
    try {
      return await fn(engine);
    } finally {
      freeQuietly(engine);
    }
  } catch (error) {
    throw engineError(error, factory.errorRegistry);
  } finally {
    await connector.close();
  }
}

/** After a panic the wasm instance is dead and `free` throws too; the panic is the error worth reporting. */
function freeQuietly(engine: SchemaEngine): void {
  try {
    engine.free();
  } catch {}
}

/** Turns the engine's errors into readable ones: JS errors raised in our adapters come back by id. */
function engineError(error: unknown, registry: { consumeError(id: number): { error: unknown } | undefined }): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  // Prisma's client installs a registry of its own (no `get`) when it loads first: read only ours.
  const panics = globalThis.PRISMA_WASM_PANIC_REGISTRY;
  const panic = panics instanceof WasmPanicRegistry ? panics.get() : "";
  if (error.name === "RuntimeError" && panic) {
    // wasm-bindgen's glue caches views of the instance's memory, so it cannot be re-instantiated in place.
    globalThis.PRISMA_WASM_PANIC_REGISTRY = new WasmPanicRegistry();
    return new Error(`Schema engine panicked (restart the process to migrate again): ${panic}`, { cause: error });
  }
  const id = /External error id#(\d+)/.exec(error.message)?.[1];
  const original = id === undefined ? undefined : registry.consumeError(Number(id))?.error;
  if (original instanceof Error) return original;
  // Drop the engine's Rust span trace ("   0: schema_engine_wasm::...") from the message; keep it as the cause.
  const message = error.message.split(/\n\s+0: /)[0]?.trim() || error.message;
  return new Error(message, { cause: error });
}
