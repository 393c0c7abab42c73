import type { Db } from '../../db/database.ts';
import type { ClientInfo, SessionService } from '../../platform/auth/sessions.ts';
import { hashToken, newToken } from '../../platform/auth/tokens.ts';
import type { Clock } from '../../platform/clock.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { createOrganisation, type NewOrganisation } from './organisations.ts';

/**
 * First-run setup: while no organisation exists, the server prints a one-time link. Following it creates
 * the organisation and its first administrator, who then enrols an authenticator before anything else.
 */
export class SetupService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;
  private readonly sessions: SessionService;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing; sessions: SessionService }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
    this.sessions = deps.sessions;
  }

  /** A fresh one-time setup token if setup has not been done (any earlier link stops working), else null. */
  async issueSetupToken(): Promise<string | null> {
    const { token, hash } = newToken();
    const result = await this.db
      .updateTable('installation')
      .set({ setup_token_hash: hash, setup_token_created_at: this.clock.now() })
      .where('setup_completed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? token : null;
  }

  async isSetupTokenValid(token: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('installation')
      .select('setup_token_hash')
      .where('setup_completed_at', 'is', null)
      .executeTakeFirst();
    return Boolean(row?.setup_token_hash?.equals(hashToken(token)));
  }

  /** Returns the new administrator's session token, or null if the link has been used (a double submit too). */
  async complete(token: string, input: NewOrganisation, client: ClientInfo): Promise<string | null> {
    return this.db.transaction().execute(async (trx) => {
      const installation = await trx
        .selectFrom('installation')
        .select('setup_token_hash')
        .where('setup_completed_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!installation?.setup_token_hash?.equals(hashToken(token))) return null;
      const { organisationId, userId } = await createOrganisation(trx, this.keys, input, this.clock.now());
      return this.sessions.start(trx, organisationId, userId, 'enrolment', client);
    });
  }
}
