import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { dataFolderSecret } from '../db/embedded.ts';

/**
 * The master key comes from VIGIL_MASTER_KEY. Outside production, when it is not set, one is generated into
 * the data folder (mode 0600) so a newcomer can start with one command; production refuses to start without it.
 */
export function loadMasterKey(config: Config, log: (message: string) => void): Buffer {
  if (config.masterKey) return config.masterKey;
  const key = Buffer.from(
    dataFolderSecret(config.dataDir, 'master.key', () => randomBytes(32).toString('base64')),
    'base64',
  );
  log(
    `Using the development master key in ${config.dataDir}/secrets/master.key. In production, supply VIGIL_MASTER_KEY instead.`,
  );
  return key;
}
