import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The part of the generated client's configuration this file changes (Prisma's `GetPrismaClientConfig`). */
interface ClientConfig {
  compilerWasm?: { getQueryCompilerWasmModule: () => Promise<unknown> };
}

/** The module the generated loader imports (named in its source): one string export, the compiler as base64. */
const BASE64_MODULE = /([@\w./-]+\.wasm-base64\.mjs)/;
/** That module's text: `const wasm = "<base64>";` then its export. */
const BASE64_TEXT = /^const wasm = "([A-Za-z0-9+/=]+)";/;
/** Node's WebAssembly, which the project's TypeScript libraries (no DOM) do not declare. */
const { WebAssembly } = globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => unknown } };

/**
 * The generated client's configuration with a loader of the query compiler that keeps no text of it.
 * The generated loader imports a module whose one export is the 1.7 MB WebAssembly as a 2.2 MB base64
 * string: V8 keeps the module's source and the string for the life of the process, 4.4 MiB of its heap
 * (large objects), and parsing the module leaves more in malloc (BENCHMARKS.md, "Prisma's query compiler
 * without its text"). This one reads the same file, decodes and compiles it, and lets the text go. Where
 * the generated loader or the file does not look as expected (another Prisma), the generated loader is
 * used as it is. The specifier is a package path ("@prisma/client/runtime/…"), which resolves from here
 * as from the generated client: both are in this package.
 *
 * Given to `new PrismaClient({ __internal: { configOverride } })`, the client's hook for changing its
 * configuration (in its type declarations, marked internal: an upgrade may drop it, and the tests in
 * compiler-wasm.test.ts and tests/postgres-modules.test.ts would then fail); hand-written because Prisma
 * has no option for how the compiler is loaded.
 */
export function compilerWithoutText<Config>(config: Config): Config {
  const wasm = (config as ClientConfig).compilerWasm;
  const original = wasm?.getQueryCompilerWasmModule;
  const specifier = original && BASE64_MODULE.exec(String(original))?.[1];
  if (!wasm || !original || !specifier) return config;
  const getQueryCompilerWasmModule = async () => {
    const base64 = BASE64_TEXT.exec(await textOf(specifier))?.[1];
    if (!base64) return original();
    return new WebAssembly.Module(Buffer.from(base64, "base64"));
  };
  return { ...config, compilerWasm: { ...wasm, getQueryCompilerWasmModule } };
}

/** A module's source text, or "" where it cannot be found or read. */
async function textOf(specifier: string): Promise<string> {
  try {
    return await readFile(fileURLToPath(import.meta.resolve(specifier)), "utf8");
  } catch {
    return "";
  }
}
