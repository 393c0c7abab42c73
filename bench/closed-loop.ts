// The benchmarks' closed loop: `concurrency` callers, each starting its next request as soon as its last one ends.

/** Makes `requests` calls, `concurrency` in flight; `call` gets each request's number and throws on a failure. */
export async function closedLoop(
  requests: number,
  concurrency: number,
  call: (index: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let started = 0;
  const began = performance.now();
  async function caller(): Promise<void> {
    while (started < requests) {
      const index = started;
      started += 1;
      const start = performance.now();
      await call(index);
      latencies.push(performance.now() - start);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { latencies, seconds: (performance.now() - began) / 1000 };
}
