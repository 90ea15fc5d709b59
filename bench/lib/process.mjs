// Starting, watching and stopping one target process.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

const HOST = "127.0.0.1";

// Targets run in their own process groups, so a Ctrl-C to the harness does not reach them: the
// harness stops whatever is still running itself (stopAllTargets).
const running = new Set();

/** Resolves true if something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Spawns a target in its own process group (so a wrapper such as tsx or a shell and its children are
 * stopped together) and waits until its port answers (20 s, or `readyTimeoutMs`: under valgrind a
 * server takes minutes). Refuses a port that is already taken: it would measure somebody else's server.
 */
export async function startTarget({ name, cmd, args = [], env = {}, cwd, port, pinCpu, readyTimeoutMs = 20_000 }) {
  if (await portAnswers(port)) throw new Error(`${name}: port ${port} is already in use`);
  const argv = args.map((a) => a.replaceAll("{PORT}", String(port)));
  const [file, fileArgs] = pinCpu === undefined ? [cmd, argv] : ["taskset", ["-c", String(pinCpu), cmd, ...argv]];
  const child = spawn(file, fileArgs, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) },
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let exited = null;
  running.add(child);
  child.once("exit", (code, signal) => {
    exited = { code, signal };
    running.delete(child);
  });

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await portAnswers(port))) {
    if (exited) throw new Error(`${name} exited (${exited.code ?? exited.signal}) before listening:\n${stderr}`);
    if (Date.now() > deadline) {
      await stopTarget({ child });
      throw new Error(`${name} did not listen on ${port} within ${readyTimeoutMs / 1000} s:\n${stderr}`);
    }
    await sleep(100);
  }
  return { name, child, port, baseUrl: `http://${HOST}:${port}`, stderr: () => stderr, exited: () => exited };
}

/** SIGTERM to the target's process group, SIGKILL after 5 s. Only ever our own child's group. */
export async function stopTarget({ child }) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 5000);
  await gone;
  clearTimeout(timer);
}

/** Stops every target this harness started that is still running. */
export async function stopAllTargets() {
  await Promise.all([...running].map((child) => stopTarget({ child })));
}

/** Resident memory in MiB of a process and all its descendants (VmRSS from /proc). */
export function treeRssMiB(pid) {
  let kib = 0;
  for (const p of [pid, ...descendants(pid)]) {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readSafe(`/proc/${p}/status`));
    if (match) kib += Number(match[1]);
  }
  return kib / 1024;
}

function descendants(pid) {
  const tasks = readdirSafe(`/proc/${pid}/task`);
  const children = tasks.flatMap((tid) => readSafe(`/proc/${pid}/task/${tid}/children`).split(/\s+/).filter(Boolean));
  return children.flatMap((c) => [Number(c), ...descendants(Number(c))]);
}

// A process can exit between listing and reading; a vanished one simply counts as 0.
function readSafe(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function readdirSafe(path) {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Samples treeRssMiB every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid, everyMs = 200) {
  let peak = treeRssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMiB(pid));
  }, everyMs);
  return () => {
    clearInterval(timer);
    return Math.max(peak, treeRssMiB(pid));
  };
}
