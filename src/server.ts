// `npm start`. The settings are read before the rest of Vigil is loaded, so that a mistake in them ends the process
// at once, plainly, and without process.exit(): ending with process.exit() while V8 is still compiling what was just
// loaded can deadlock the process (https://github.com/nodejs/node/issues/54918), and once the embedded PostgreSQL
// package is loaded every exit goes through process.exit().
import { ConfigError, loadConfig, type Config } from './config.ts';

const startedAt = performance.now();
let config: Config | undefined;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
if (config) await (await import('./serve.ts')).serve(config, startedAt);
