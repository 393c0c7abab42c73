// Shared by the benchmarks: a bounded closed-loop load on loopback, and a table of figures with ratios.

export type Result = { label: string; median: number; p95: number; throughput: number };

/** Runs `requests` calls of `call` with `concurrency` in flight; each call must resolve true for success. */
export async function load(
  label: string,
  call: () => Promise<boolean>,
  requests: number,
  concurrency: number,
): Promise<Result> {
  const latencies: number[] = [];
  let started = 0;
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
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { label, median: at(0.5), p95: at(0.95), throughput: latencies.length / seconds };
}

export function printComparison(title: string, bare: Result, full: Result): void {
  const row = (r: Result) =>
    `| ${r.label} | ${r.median.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.throughput.toFixed(0)} |\n`;
  process.stdout.write(
    `\n${title}\n\n| what | median ms | p95 ms | requests/s |\n|---|---|---|---|\n${row(bare)}${row(full)}`,
  );
  process.stdout.write(
    `Vigil / bare: throughput ${(full.throughput / bare.throughput).toFixed(2)}x, median ${(full.median / bare.median).toFixed(2)}x, p95 ${(full.p95 / bare.p95).toFixed(2)}x\n`,
  );
}
