import { readFileSync } from "node:fs";

/** A process's peak resident memory (VmHWM) and CPU time so far, from /proc (Linux). For benchmarks. */
export function processStats(pid: number): { peakRssMiB: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return { peakRssMiB: hwm / 1024, cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100 };
}
