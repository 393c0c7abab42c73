// Shared by the benchmarks: a bounded closed-loop load on loopback, and a table of figures with ratios.
import { readFileSync } from 'node:fs';

export type Result = {
  label: string;
  median: number;
  p95: number;
  throughput: number;
  /** CPU time this process spent per request, in ms (client and server alike when both run here). */
  cpuMs: number;
  /** CPU time the database's processes spent per request, in ms, when they could be measured. */
  databaseCpuMs: number | null;
};

/** Ticks of CPU (user + system) a process has used, from /proc; 0 when it cannot be read (not Linux, gone). */
function processTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * Runs `requests` calls of `call` with `concurrency` in flight; each call must resolve true for success.
 * `databasePids`, when given, lists the database's processes, whose CPU time is counted too: on a shared
 * machine CPU per request says more than requests per second, which depend on what else is running.
 */
export async function load(
  label: string,
  call: () => Promise<boolean>,
  requests: number,
  concurrency: number,
  databasePids?: () => Promise<number[]>,
): Promise<Result> {
  const latencies: number[] = [];
  let started = 0;
  const pids = (await databasePids?.()) ?? [];
  const databaseTicks = () => pids.reduce((sum, pid) => sum + processTicks(pid), 0);
  const databaseBefore = databaseTicks();
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  async function worker(): Promise<void> {
    while (started < requests) {
      started += 1;
      const start = performance.now();
      if (!(await call())) throw new Error(`${label}: a request failed`);
      latencies.push(performance.now() - start);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const databaseCpu = (databaseTicks() - databaseBefore) * TICK_MS;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    label,
    median: at(0.5),
    p95: at(0.95),
    throughput: latencies.length / seconds,
    cpuMs: (cpu.user + cpu.system) / 1000 / latencies.length,
    databaseCpuMs: pids.length ? databaseCpu / latencies.length : null,
  };
}

export function printComparison(title: string, bare: Result, full: Result): void {
  const row = (r: Result) =>
    `| ${r.label} | ${r.median.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.throughput.toFixed(0)} | ` +
    `${r.cpuMs.toFixed(2)} | ${r.databaseCpuMs === null ? 'n/a' : r.databaseCpuMs.toFixed(2)} |\n`;
  process.stdout.write(
    `\n${title}\n\n| what | median ms | p95 ms | requests/s | node CPU ms/request | database CPU ms/request |\n` +
      `|---|---|---|---|---|---|\n${row(bare)}${row(full)}`,
  );
  process.stdout.write(
    `Vigil / bare: throughput ${(full.throughput / bare.throughput).toFixed(2)}x, median ${(full.median / bare.median).toFixed(2)}x, p95 ${(full.p95 / bare.p95).toFixed(2)}x\n`,
  );
}
