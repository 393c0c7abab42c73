import { buildApp } from './app.ts';
import { createServices } from './composition.ts';
import type { Config } from './config.ts';
import { DataFolderInUseError } from './db/embedded.ts';
import { openDatabase } from './db/runtime.ts';
import { startAuditChainer } from './platform/audit/audit-chain.ts';
import { systemClock } from './platform/clock.ts';
import { loadMasterKey } from './platform/master-key.ts';
import { createMailer } from './platform/mail/mailer.ts';
import { stylesheet } from './platform/http/assets.ts';

const say = (message: string) => process.stdout.write(`${message}\n`);

/** Starts Vigil with settings already read (see server.ts); `startedAt` is when the process began. */
async function main(config: Config, startedAt: number): Promise<void> {
  const masterKey = loadMasterKey(config, say);
  const database = await openDatabase(config, { log: say });
  if (database.appliedMigrations.length) say(`Applied migrations: ${database.appliedMigrations.join(', ')}`);

  const mailer = createMailer(config.smtpUrl, config.mailFrom);
  const services = createServices({
    db: database.db,
    clock: systemClock,
    masterKey,
    publicUrl: config.publicUrl,
    mailer,
    dataDir: config.dataDir,
    evidenceLimits: config.evidence,
    marac: config.marac,
    risk: config.risk,
    court: config.court,
  });
  const app = await buildApp({
    db: database.db,
    services,
    logLevel: config.logLevel,
    trustProxy: config.trustProxy,
  });

  // Links recorded audit events into their organisation's chain shortly after their transactions commit.
  const chainer = startAuditChainer(database.ownerDb, {
    onError: (error) => app.log.error({ err: error }, 'Linking audit events into the chain failed'),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: finishing requests in progress, then stopping.`);
    try {
      // First: an embedded PostgreSQL stops on the same signal, so the less left to do with it the better.
      await chainer.stop();
      await services.bundleWorker.stop();
      await app.close();
      await database.close();
      mailer?.close();
      say('Vigil stopped cleanly.');
      process.exit(0);
    } catch (error) {
      process.stderr.write(`Vigil did not stop cleanly: ${String(error)}\n`);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  // What a killed or failed upload left behind (temporary files, objects no exhibit refers to) goes now. A sweep
  // that fails is reported, not fatal: nothing depends on it but disk space.
  try {
    const swept = await services.evidence.sweep();
    if (swept.temporary + swept.unreferenced > 0)
      say(
        `Removed ${swept.temporary} unfinished upload file(s) and ${swept.unreferenced} unused evidence file(s).`,
      );
  } catch (error) {
    app.log.error({ err: error }, 'Sweeping the evidence folder failed');
  }
  try {
    await services.bundles.sweep();
  } catch (error) {
    app.log.error({ err: error }, 'Sweeping the bundles folder failed');
  }
  stylesheet();
  await app.listen({ host: config.host, port: config.port });
  // Evidence bundles are built in the background; jobs a stopped server left are taken up again.
  services.bundleWorker.start();
  const setupToken = await services.setup.issueSetupToken();
  const where = database.embedded
    ? `embedded PostgreSQL in ${config.dataDir}`
    : 'PostgreSQL from DATABASE_URL';
  const lines = [
    `Vigil is ready at ${config.publicUrl} (${where}), ${Math.round(performance.now() - startedAt)} ms after start.`,
  ];
  if (setupToken) {
    lines.push(
      '',
      'No organisation has been set up yet. Open this one-time link to create it and its first administrator:',
      `  ${config.publicUrl}/setup/${setupToken}`,
      '(A new link is printed each time Vigil starts until setup is done; earlier links stop working.)',
      '',
    );
  }
  say(lines.join('\n'));
}

/** Starts Vigil, or says plainly why it cannot and ends the process. */
export function serve(config: Config, startedAt: number): Promise<void> {
  return main(config, startedAt).catch((error: unknown) => {
    if (error instanceof DataFolderInUseError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `Vigil could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
