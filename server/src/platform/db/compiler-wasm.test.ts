import { describe, expect, it } from "vitest";
import { compilerWithoutText } from "./compiler-wasm.js";

const { WebAssembly } = globalThis as unknown as {
  WebAssembly: { Module: { new (bytes: Uint8Array): object; exports(module: object): unknown[] } };
};

const COMPILER_MODULE = "@prisma/client/runtime/query_compiler_small_bg.postgresql.wasm-base64.mjs";
/** The loader `prisma generate` writes for this schema (server/src/generated/prisma/internal/class.ts). */
const generatedLoader = async () => {
  const { wasm } = (await import(COMPILER_MODULE)) as { wasm: string };
  return new WebAssembly.Module(Buffer.from(wasm, "base64"));
};

/**
 * A loader whose source text (what compilerWithoutText reads) imports `specifier`, and which does `run`
 * when called. Written with its text rather than an import() expression, which vitest would rewrite.
 */
function loaderImporting<T>(specifier: string, run: () => Promise<T>) {
  return Object.assign(run, { toString: () => `async () => (await import("${specifier}")).wasm` });
}

describe("compilerWithoutText", () => {
  it("compiles the generated loader's query compiler from its file, without running that loader", async () => {
    // Names the generated loader's module, but fails if called: the compiler must come from the file.
    const refusing = loaderImporting(COMPILER_MODULE, async () => {
      throw new Error("the generated loader ran");
    });
    const config = { compilerWasm: { getQueryCompilerWasmModule: refusing, importName: "./x.js" }, other: 1 };
    const changed = compilerWithoutText(config);
    expect(changed.other).toBe(1);
    expect(changed.compilerWasm.importName).toBe("./x.js");
    const ours = (await changed.compilerWasm.getQueryCompilerWasmModule()) as object;
    expect(ours).toBeInstanceOf(WebAssembly.Module);
    const exports = WebAssembly.Module.exports(ours);
    expect(exports.length).toBeGreaterThan(0);
    expect(exports).toEqual(WebAssembly.Module.exports(await generatedLoader()));
  });

  it("keeps a loader it does not recognise, and falls back to it where the file or its package is not there", async () => {
    const unknown = { compilerWasm: { getQueryCompilerWasmModule: async () => "compiled elsewhere" } };
    expect(compilerWithoutText(unknown)).toBe(unknown);

    // Name a module that is not there, or a package that does not resolve, as a loader of another Prisma might.
    for (const specifier of ["./not-there.wasm-base64.mjs", "@not-a-package/runtime/x.wasm-base64.mjs"]) {
      const loader = loaderImporting(specifier, async () => "the generated loader's answer");
      const changed = compilerWithoutText({ compilerWasm: { getQueryCompilerWasmModule: loader } });
      expect(changed.compilerWasm.getQueryCompilerWasmModule).not.toBe(loader);
      expect(await changed.compilerWasm.getQueryCompilerWasmModule()).toBe("the generated loader's answer");
    }
  });
});
