import { readdirSync, readFileSync } from "node:fs";

/** A process's peak resident memory (VmHWM) and CPU time so far, from /proc (Linux). For benchmarks. */
export function processStats(pid: number): { peakRssMiB: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return { peakRssMiB: hwm / 1024, cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100 };
}

/** Pids of the processes whose command line contains `text` (Linux /proc), e.g. "kafka.Kafka". For benchmarks. */
export function pidsMatching(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return pids;
}

/** CPU seconds the whole machine has spent busy (all cores; not idle, not waiting for I/O), from /proc/stat. */
export function machineBusySeconds(): number {
  const cpu =
    readFileSync("/proc/stat", "utf8").split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  // guest and guest_nice (the last two) are counted in user and nice already.
  const total = cpu.slice(0, 8).reduce((sum, n) => sum + n, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return (total - idle) / 100;
}
