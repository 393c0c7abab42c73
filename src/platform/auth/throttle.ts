import type { Db } from '../../db/database.ts';
import { MINUTE, type Clock } from '../clock.ts';
import { RateLimiter, type Limit } from '../rate-limit.ts';

export const THROTTLE_WINDOW = 5 * MINUTE;
/** Failed attempts allowed per account in the window; the next waits. Accounts are never locked outright. */
export const ACCOUNT_FAILURE_LIMIT = 10;
/** Failed attempts allowed from one address in the window, across all accounts. */
export const ADDRESS_FAILURE_LIMIT = 50;

/**
 * Slows guessing without ever locking an account: the stalker may know the victim's username, and a hard
 * lock-out would let them keep the victim out.
 */
export class SignInThrottle {
  private readonly limiter: RateLimiter;

  constructor(db: Db, clock: Clock, masterKey: Buffer) {
    this.limiter = new RateLimiter(db, clock, masterKey, THROTTLE_WINDOW);
  }

  private limits(account: string, address: string | null): Limit[] {
    const limits = [{ key: `sign-in:account:${account.trim().toLowerCase()}`, limit: ACCOUNT_FAILURE_LIMIT }];
    if (address) limits.push({ key: `sign-in:address:${address}`, limit: ADDRESS_FAILURE_LIMIT });
    return limits;
  }

  /** When attempts may resume, or null if they may go ahead now. */
  waitUntil(account: string, address: string | null): Promise<Date | null> {
    return this.limiter.waitUntil(this.limits(account, address));
  }

  recordFailure(account: string, address: string | null): Promise<void> {
    return this.limiter.record(this.limits(account, address).map((limit) => limit.key));
  }
}
