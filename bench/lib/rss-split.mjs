// A process's resident memory by where it lives, from /proc/<pid>/smaps (Linux): file-backed pages
// (the node binary, shared libraries, anything mapped from a file), glibc malloc's memory, and the
// rest of the anonymous memory (V8's heap pages, WebAssembly memory and code, thread stacks).
import { readFileSync } from "node:fs";

// glibc gives each thread arena its own mmapped heap of HEAP_MAX_SIZE (64 MiB on 64-bit), aligned to
// that size; the main arena grows the brk `[heap]`. V8 maps its pages 256 KiB-aligned, so a V8 page
// lands on a 64 MiB boundary 1 time in 256: the malloc figure is a close estimate, not a count.
const ARENA_ALIGN = 64n * 1024n * 1024n;

/** MiB of `pid`'s RSS: { rss, file, malloc, otherAnon }, or null if the process is gone. */
export function rssSplit(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, "utf8");
  } catch {
    return null;
  }
  const kib = { file: 0, malloc: 0, otherAnon: 0 };
  let kind = "otherAnon";
  for (const line of text.split("\n")) {
    const mapping = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const [, start, path] = mapping;
      if (path.startsWith("/")) kind = "file";
      else if (path === "[heap]" || (path === "" && BigInt(`0x${start}`) % ARENA_ALIGN === 0n)) kind = "malloc";
      else kind = "otherAnon";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kib[kind] += Number(rss[1]);
  }
  const mib = (n) => Math.round(n / 1024);
  return {
    rss: mib(kib.file + kib.malloc + kib.otherAnon),
    file: mib(kib.file),
    malloc: mib(kib.malloc),
    otherAnon: mib(kib.otherAnon),
  };
}
