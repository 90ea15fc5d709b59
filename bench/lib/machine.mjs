// What the numbers were measured on; printed with every result, since they mean little without it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (err) {
    // wrk prints its version with its usage text and exits 1; keep what it printed.
    return `${err.stdout ?? ""}${err.stderr ?? ""}`.trim() || null;
  }
}

export function machineInfo(repoRoot) {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  return {
    date: new Date().toISOString(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    loadAvgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    python: tryRun("/usr/bin/python3", ["--version"])?.replace("Python ", "") ?? null,
    wrk: /wrk (\S+)/.exec(tryRun("wrk", ["-v"]) ?? "")?.[1] ?? null,
    postgres: /\(PostgreSQL\) (\S+)/.exec(tryRun("psql", ["--version"]) ?? "")?.[1] ?? null,
    commit: tryRun("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"]),
    dirtyTree: Boolean(tryRun("git", ["-C", repoRoot, "status", "--porcelain", "--untracked-files=no"])),
  };
}
