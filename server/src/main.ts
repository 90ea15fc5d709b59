import { createServer } from "./app.js";
import { InvalidEnvError, loadEnv } from "./env.js";
import { prepareRuntime } from "./platform/runtime.js";

/** Start-up only: read the settings, build the server, listen, and stop cleanly on a signal. */
async function main() {
  let env: ReturnType<typeof loadEnv>;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof InvalidEnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  await prepareRuntime(env);
  const server = await createServer({ env });
  const url = await server.start();
  server.app.log.info(`Trellis listening on ${url} (REST ${url}/api, docs ${url}/docs)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info(`${signal}: shutting down`);
    await server.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

await main();
