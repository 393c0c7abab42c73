// Shared by the benchmarks: a bounded closed-loop load, in this thread (calls made directly) or over loopback HTTP
// from a worker thread, and a table of figures with ratios.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { closedLoop } from './closed-loop.ts';
import type { HttpLoadJob, HttpLoadOutcome, HttpRequestSpec } from './http-client.ts';

export type { HttpRequestSpec };

export type Result = {
  label: string;
  median: number;
  p95: number;
  throughput: number;
  /** CPU time this process spent per request, in ms, less the HTTP client's when it ran in a worker thread. */
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

type Run = { latencies: number[]; seconds: number; clientCpuMicros: number };

/**
 * Measures one run: its latencies and throughput, with the CPU time of this process (less the client's) and, when
 * `databasePids` is given, of the database's processes. On a shared machine CPU per request says more than
 * requests per second, which depend on what else is running.
 */
async function measure(
  label: string,
  run: () => Promise<Run>,
  databasePids?: () => Promise<number[]>,
): Promise<Result> {
  const pids = (await databasePids?.()) ?? [];
  const databaseTicks = () => pids.reduce((sum, pid) => sum + processTicks(pid), 0);
  const databaseBefore = databaseTicks();
  const cpuBefore = process.cpuUsage();
  const { latencies, seconds, clientCpuMicros } = await run();
  const cpu = process.cpuUsage(cpuBefore);
  const databaseCpu = (databaseTicks() - databaseBefore) * TICK_MS;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    label,
    median: at(0.5),
    p95: at(0.95),
    throughput: latencies.length / seconds,
    cpuMs: (cpu.user + cpu.system - clientCpuMicros) / 1000 / latencies.length,
    databaseCpuMs: pids.length ? databaseCpu / latencies.length : null,
  };
}

export type LoadOptions = {
  requests: number;
  concurrency: number;
  /** The database's processes, whose CPU time is counted too. */
  databasePids?: () => Promise<number[]>;
};

/** Runs `requests` calls of `call` in this thread, `concurrency` in flight; each must resolve true for success. */
export function load(
  label: string,
  call: () => Promise<boolean>,
  { requests, concurrency, databasePids }: LoadOptions,
): Promise<Result> {
  return measure(
    label,
    async () => ({
      ...(await closedLoop(requests, concurrency, async () => {
        if (!(await call())) throw new Error(`${label}: a request failed`);
      })),
      clientCpuMicros: 0,
    }),
    databasePids,
  );
}

/**
 * Sends `requests` HTTP requests to `base`, taking `specs` in turn, `concurrency` in flight, from a worker thread
 * (http-client.ts): the server in this thread then does only a server's work, as it would for a browser.
 */
export function loadOverHttp(
  label: string,
  base: string,
  specs: HttpRequestSpec[],
  { requests, concurrency, databasePids }: LoadOptions,
): Promise<Result> {
  return measure(
    label,
    () =>
      new Promise<Run>((resolve, reject) => {
        const job: HttpLoadJob = { base, specs, requests, concurrency };
        const worker = new Worker(new URL('./http-client.ts', import.meta.url), { workerData: job });
        worker.once('message', (outcome: HttpLoadOutcome) =>
          'failure' in outcome ? reject(new Error(`${label}: ${outcome.failure}`)) : resolve(outcome),
        );
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`${label}: the HTTP client stopped (exit ${code})`)));
      }),
    databasePids,
  );
}

export function printComparison(title: string, bare: Result, full: Result): void {
  const row = (r: Result) =>
    `| ${r.label} | ${r.median.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.throughput.toFixed(0)} | ` +
    `${r.cpuMs.toFixed(2)} | ${r.databaseCpuMs === null ? 'n/a' : r.databaseCpuMs.toFixed(2)} |\n`;
  process.stdout.write(
    `\n${title}\n\n| what | median ms | p95 ms | requests/s | node CPU ms/request, less the client | database CPU ms/request |\n` +
      `|---|---|---|---|---|---|\n${row(bare)}${row(full)}`,
  );
  process.stdout.write(
    `Vigil / bare: throughput ${(full.throughput / bare.throughput).toFixed(2)}x, median ${(full.median / bare.median).toFixed(2)}x, p95 ${(full.p95 / bare.p95).toFixed(2)}x\n`,
  );
}
