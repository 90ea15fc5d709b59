import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

export interface Instance {
  url: string;
  process: ChildProcess;
  /** SIGTERM, then wait for a clean exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing cleaned up. */
  crash(): Promise<void>;
}

/**
 * The real server as its own process (`server/src/main.ts`, as `npm start` runs it) on a free
 * port, configured only through its environment (`nodeArgs`: extra flags for node, after tsx's
 * `--import`). Resolves once it listens.
 */
export function startInstance(env: Record<string, string>, opts: { nodeArgs?: string[] } = {}): Promise<Instance> {
  const child = spawn(process.execPath, ["--import", "tsx", ...(opts.nodeArgs ?? []), "server/src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const url = output.match(/listening on (http:\/\/[\d.]+:\d+)/)?.[1];
      if (!url) return;
      child.stdout?.off("data", onData);
      child.stdout?.resume();
      resolve({
        url,
        process: child,
        async stop() {
          child.kill("SIGTERM");
          await exited;
        },
        async crash() {
          child.kill("SIGKILL");
          await exited;
        },
      });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
}
