// Starts one Vigil server for the whole browser test run and hands its address and one-time setup link to
// the tests, through the environment (inherited by the test workers) and test-results/vigil-e2e/server.json.
import { clearRunState, saveServerState } from './support/run-state.ts';
import { startVigil } from './support/vigil-server.ts';

export default async function globalSetup(): Promise<void> {
  clearRunState();
  const server = await startVigil();
  saveServerState(server);
  process.env.VIGIL_E2E_BASE_URL = server.baseUrl;
  process.env.VIGIL_E2E_SETUP_LINK = server.setupLink;
}
