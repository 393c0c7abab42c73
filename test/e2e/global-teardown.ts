// Stops the server the global setup started (SIGTERM, then waits for "Vigil stopped cleanly.") and removes
// its temporary data folder.
import { savedServerState } from './support/run-state.ts';
import { stopVigil } from './support/vigil-server.ts';

export default async function globalTeardown(): Promise<void> {
  const server = savedServerState();
  if (server) await stopVigil(server);
}
