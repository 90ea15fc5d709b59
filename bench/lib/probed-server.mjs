// Our built server on a throw-away PostgreSQL database seeded with W2's items, started with a probe module
// (`--import`) that reports from inside the process on stderr, one JSON object per line after a tag. For the
// tools that look inside the server under W2: memory.mjs and tail.mjs.
import { createBenchDatabase } from "./database.mjs";
import { signJwt } from "./jwt.mjs";
import { startTarget, stopTarget } from "./process.mjs";
import { seedItems } from "./seed-items.mjs";

/**
 * Creates, migrates and seeds a database on BENCH_PG_URL, then starts `script` on it with `nodeArgs`, the
 * probe and `env` (KEY=VALUE strings, which override the production defaults). Resolves to the started target,
 * a bearer token for the seeded user, `onReport(tag, handler)` to receive the probe's reports, and `stop()`,
 * which stops the server and drops the database.
 */
export async function startProbedServer({ repoRoot, probe, script, nodeArgs = [], env = [], port }) {
  const database = await createBenchDatabase({
    adminUrl: process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    repoRoot,
  });
  let server;
  const stop = async () => {
    if (server) await stopTarget(server);
    await database.drop();
  };
  try {
    const { userId } = await seedItems({ databaseUrl: database.url, count: 10_000 });
    const secret = "probed-bench-secret-0123456789abcdef012345";
    server = await startTarget({
      name: "trellis",
      cmd: process.execPath,
      args: [...nodeArgs, `--import=${probe}`, script],
      env: {
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        HOST: "127.0.0.1",
        SEED_ADMIN_PASSWORD: "bench-admin-password-not-default",
        JWT_SECRET: secret,
        DATABASE_URL: database.url,
        ...Object.fromEntries(env.map((pair) => pair.split("="))),
      },
      cwd: repoRoot,
      port,
    });
    const handlers = [];
    let partial = "";
    server.child.stderr.on("data", (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop();
      for (const line of lines)
        for (const [tag, handler] of handlers) if (line.startsWith(tag)) handler(JSON.parse(line.slice(tag.length)));
    });
    return {
      server,
      token: signJwt({ sub: userId, secret, claims: { iss: "trellis", typ: "access" } }),
      onReport: (tag, handler) => handlers.push([tag, handler]),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
