import type { Db } from '../../db/database.ts';
import { MINUTE, type Clock } from '../clock.ts';
import { deriveKey, hmac } from '../crypto/envelope.ts';

export const THROTTLE_WINDOW = 5 * MINUTE;
/** Failed attempts allowed per account in the window; the next waits. Accounts are never locked outright. */
export const ACCOUNT_FAILURE_LIMIT = 10;
/** Failed attempts allowed from one address in the window, across all accounts. */
export const ADDRESS_FAILURE_LIMIT = 50;

/**
 * Slows guessing without ever locking an account: the stalker may know the victim's username, and a hard
 * lock-out would let them keep the victim out. Once a key has too many failures in the window, attempts
 * wait until the oldest of them leaves the window. Keys are HMACs, so the table holds no names or addresses.
 */
export class SignInThrottle {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly key: Buffer;

  constructor(db: Db, clock: Clock, masterKey: Buffer) {
    this.db = db;
    this.clock = clock;
    this.key = deriveKey(masterKey, 'sign-in-throttle');
  }

  private keys(account: string, address: string | null): { key: Buffer; limit: number }[] {
    const keys = [
      { key: hmac(this.key, `account:${account.trim().toLowerCase()}`), limit: ACCOUNT_FAILURE_LIMIT },
    ];
    if (address) keys.push({ key: hmac(this.key, `address:${address}`), limit: ADDRESS_FAILURE_LIMIT });
    return keys;
  }

  /** When attempts may resume, or null if they may go ahead now. */
  async waitUntil(account: string, address: string | null): Promise<Date | null> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - THROTTLE_WINDOW);
    let until: Date | null = null;
    for (const { key, limit } of this.keys(account, address)) {
      const failures = await this.db
        .selectFrom('sign_in_failures')
        .select('failed_at')
        .where('key_hash', '=', key)
        .where('failed_at', '>', since)
        .orderBy('failed_at', 'desc')
        .limit(limit)
        .execute();
      if (failures.length >= limit) {
        const oldest = failures[failures.length - 1]!.failed_at;
        const resume = new Date(oldest.getTime() + THROTTLE_WINDOW);
        if (!until || resume > until) until = resume;
      }
    }
    return until;
  }

  async recordFailure(account: string, address: string | null): Promise<void> {
    const now = this.clock.now();
    await this.db
      .insertInto('sign_in_failures')
      .values(this.keys(account, address).map(({ key }) => ({ key_hash: key, failed_at: now })))
      .execute();
    await this.db
      .deleteFrom('sign_in_failures')
      .where('failed_at', '<', new Date(now.getTime() - 2 * THROTTLE_WINDOW))
      .execute();
  }
}
