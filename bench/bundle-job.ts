// Builds evidence bundles already asked for, in a process of its own, as the server's worker builds them: for
// bench/bundle.ts, so that the memory measured is the job's and nothing else's. Attached to the embedded
// PostgreSQL the benchmark started in VIGIL_DATA_DIR, with the master key it used (BENCH_MASTER_KEY, hex).
// Arguments: an organisation id, then bundle ids. Prints one JSON line per bundle: its wall time, this
// process's resident memory just before, and its peak while the job ran (sampled every 10 ms).
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/runtime.ts';
import { ManualClock } from '../src/platform/clock.ts';

const [organisationId, ...bundleIds] = process.argv.slice(2);
const dataDir = process.env.VIGIL_DATA_DIR;
const masterKey = process.env.BENCH_MASTER_KEY;
if (!organisationId || !bundleIds.length || !dataDir || !masterKey)
  throw new Error(
    'Usage: VIGIL_DATA_DIR=… BENCH_MASTER_KEY=… node bench/bundle-job.ts <organisation> <bundle>…',
  );

const config = loadConfig({ VIGIL_DATA_DIR: dataDir });
const database = await openDatabase(config, {
  log: () => undefined,
  attachToRunningServer: true,
  migrate: false,
});
try {
  const services = createServices({
    db: database.db,
    clock: new ManualClock(new Date()),
    masterKey: Buffer.from(masterKey, 'hex'),
    publicUrl: 'http://localhost',
    dataDir,
  });
  const mb = (bytes: number) => bytes / 1024 / 1024;
  for (const bundleId of bundleIds) {
    const before = process.memoryUsage.rss();
    let highest = before;
    const timer = setInterval(() => (highest = Math.max(highest, process.memoryUsage.rss())), 10);
    const started = performance.now();
    const status = await services.bundles.runJob(organisationId, bundleId);
    const ms = performance.now() - started;
    clearInterval(timer);
    if (status !== 'done') throw new Error(`The bundle ended ${status}`);
    highest = Math.max(highest, process.memoryUsage.rss());
    process.stdout.write(
      `${JSON.stringify({ bundleId, ms, rssBeforeMb: mb(before), peakRssMb: mb(highest) })}\n`,
    );
  }
} finally {
  await database.close();
}
