import type { Db } from '../db/database.ts';
import type { Clock } from './clock.ts';
import { deriveKey, hmac } from './crypto/envelope.ts';

export type Limit = { key: string; limit: number };

/**
 * Counts events per key in a sliding window, in PostgreSQL so every instance sees the same counts. Keys are
 * HMACs (an account name or a client address never reaches the table in clear). Once a key has `limit` events
 * in the window, it waits until the oldest of them leaves the window: slowed, never locked out.
 */
export class RateLimiter {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly secret: Buffer;
  readonly windowMs: number;

  constructor(db: Db, clock: Clock, masterKey: Buffer, windowMs: number) {
    this.db = db;
    this.clock = clock;
    this.secret = deriveKey(masterKey, 'rate-limit');
    this.windowMs = windowMs;
  }

  private hash(key: string): Buffer {
    return hmac(this.secret, key);
  }

  /** When the busiest of these keys may act again, or null if all may act now. */
  async waitUntil(limits: Limit[]): Promise<Date | null> {
    const since = new Date(this.clock.now().getTime() - this.windowMs);
    let until: Date | null = null;
    for (const { key, limit } of limits) {
      const events = await this.db
        .selectFrom('rate_limit_events')
        .select('occurred_at')
        .where('key_hash', '=', this.hash(key))
        .where('occurred_at', '>', since)
        .orderBy('occurred_at', 'desc')
        .limit(limit)
        .execute();
      if (events.length >= limit) {
        const resume = new Date(events[events.length - 1]!.occurred_at.getTime() + this.windowMs);
        if (!until || resume > until) until = resume;
      }
    }
    return until;
  }

  /** Records one event for each key, and forgets events over a day old, in one statement. */
  async record(keys: string[]): Promise<void> {
    const now = this.clock.now();
    await this.db
      .with('forgotten', (db) =>
        db
          .deleteFrom('rate_limit_events')
          .where('occurred_at', '<', new Date(now.getTime() - 24 * 60 * 60 * 1000)),
      )
      .insertInto('rate_limit_events')
      .values(keys.map((key) => ({ key_hash: this.hash(key), occurred_at: now })))
      .execute();
  }
}
