// The benchmarks' HTTP client, run in a worker thread by `loadOverHttp` (load.ts): a browser's requests are never
// parsed and sent by the server's own event loop, so the client must not take turns with the app on it either.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { closedLoop } from './closed-loop.ts';

/** One request the client sends; with `expect`, the response body must contain that text to count as a success. */
export type HttpRequestSpec = {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  expect?: string;
};

export type HttpLoadJob = {
  base: string;
  /** Sent in turn, round and round. */
  specs: HttpRequestSpec[];
  requests: number;
  concurrency: number;
};

/** The latencies in ms, how long the run took, and the CPU time (in µs) this worker's own thread used. */
export type HttpLoadOutcome =
  { latencies: number[]; seconds: number; clientCpuMicros: number } | { failure: string };

function send(agent: http.Agent, base: string, spec: HttpRequestSpec): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const headers = spec.body
      ? { ...spec.headers, 'content-length': String(Buffer.byteLength(spec.body)) }
      : spec.headers;
    const request = http.request(
      `${base}${spec.path}`,
      { agent, method: spec.method, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          if (spec.expect) chunks.push(chunk);
        });
        response.on('end', () => {
          if (response.statusCode !== 200) {
            resolve(`${spec.method} ${spec.path} answered ${response.statusCode}`);
          } else if (spec.expect && !Buffer.concat(chunks).toString('utf8').includes(spec.expect)) {
            resolve(`${spec.method} ${spec.path} did not show "${spec.expect}"`);
          } else {
            resolve(null);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(spec.body);
  });
}

async function run({ base, specs, requests, concurrency }: HttpLoadJob): Promise<HttpLoadOutcome> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const cpuBefore = process.threadCpuUsage();
  try {
    const { latencies, seconds } = await closedLoop(requests, concurrency, async (index) => {
      const failure = await send(agent, base, specs[index % specs.length]!);
      if (failure) throw new Error(failure);
    });
    const cpu = process.threadCpuUsage(cpuBefore);
    return { latencies, seconds, clientCpuMicros: cpu.user + cpu.system };
  } catch (error) {
    return { failure: String(error) };
  } finally {
    agent.destroy();
  }
}

if (parentPort) parentPort.postMessage(await run(workerData as HttpLoadJob));
