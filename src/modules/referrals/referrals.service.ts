import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { newScopedToken, parseScopedToken } from '../../platform/auth/tokens.ts';
import { HOUR, SECOND, type Clock } from '../../platform/clock.ts';
import { blindIndex, blindIndexKey } from '../../platform/crypto/blind-index.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { newReference } from '../../platform/references.ts';
import { possibleDuplicates, type PossibleMatch } from './duplicates.ts';
import {
  hasNoSafeContactMethod,
  incompleteSteps,
  type ReferralAnswers,
  type StepId,
} from './referral-answers.ts';
import {
  answersToColumns,
  columnsToAnswers,
  findReferral,
  updateReferral,
  type ReferralRow,
} from './referrals.repository.ts';

/** How long an unfinished referral is kept on the server; the person is told. */
export const DRAFT_LIFETIME = 24 * HOUR;
/** Nobody answers every question in less than this; quicker submissions are automated. */
export const MINIMUM_COMPLETION_TIME = 20 * SECOND;

/** What the public form may know about the organisation whose form it is. */
export type PublicOrganisation = {
  organisationId: string;
  serviceName: string;
  /** How people can reach the service themselves, when it has said. */
  publicPhone: string | null;
  publicContactHours: string | null;
};

export type Draft = {
  referralId: string;
  organisationId: string;
  reference: string;
  status: ReferralRow['status'];
  answers: ReferralAnswers;
  startedAt: Date;
  expiresAt: Date | null;
};

export type SubmitOutcome =
  | { kind: 'submitted'; reference: string; urgent: boolean; organisationId: string }
  | { kind: 'already_submitted'; reference: string }
  | { kind: 'incomplete'; steps: StepId[] }
  | { kind: 'too_fast' }
  | { kind: 'not_found' };

export type QueueItem = {
  referralId: string;
  status: 'submitted' | 'information_requested';
  reference: string;
  route: 'self' | 'professional' | null;
  urgent: boolean;
  /** No phone or email is safe to use: nobody should try to reach the person on a guess. */
  noSafeContact: boolean;
  personName: string | null;
  submittedAt: Date;
  waitingMs: number;
};

export type ReferralRecord = {
  possibleDuplicates: PossibleMatch[];
  referralId: string;
  reference: string;
  status: ReferralRow['status'];
  submittedAt: Date | null;
  answers: ReferralAnswers;
};

/**
 * The front door: anyone may start a referral at the organisation's public address without an account. The
 * unfinished referral lives on the server under an unguessable draft token (kept in a session cookie), so a
 * timeout or a lost connection loses nothing; it is accepted exactly once.
 */
export class ReferralService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
  }

  async organisationForCode(code: string): Promise<PublicOrganisation | null> {
    if (!/^[a-z0-9]{8}$/.test(code)) return null;
    const found = await sql<{
      organisation_id: string | null;
    }>`SELECT vigil_referral_organisation(${code}) AS organisation_id`.execute(this.db);
    const organisationId = found.rows[0]?.organisation_id;
    if (!organisationId) return null;
    return inOrganisation(this.db, organisationId, async (trx) => {
      const row = await trx
        .selectFrom('organisations')
        .select(['service_name', 'public_phone', 'public_contact_hours'])
        .executeTakeFirstOrThrow();
      return {
        organisationId,
        serviceName: row.service_name,
        publicPhone: row.public_phone,
        publicContactHours: row.public_contact_hours,
      };
    });
  }

  /** Starts a draft and returns its token; also clears away other drafts that have expired. */
  async startDraft(organisationId: string): Promise<string> {
    const now = this.clock.now();
    const { token, hash } = newScopedToken(organisationId);
    await inOrganisation(this.db, organisationId, async (trx) => {
      await trx
        .deleteFrom('referrals')
        .where('status', '=', 'draft')
        .where('draft_expires_at', '<', now)
        .execute();
      const organisationKey = await this.keys.organisationKey(trx, organisationId);
      const referralId = randomUUID();
      await trx
        .insertInto('referrals')
        .values({
          organisation_id: organisationId,
          referral_id: referralId,
          reference: newReference(),
          status: 'draft',
          draft_token_hash: hash,
          data_key_wrapped: this.keys.newDataKey(organisationKey, `referral:${referralId}`).wrapped,
          created_at: now,
          updated_at: now,
          draft_expires_at: new Date(now.getTime() + DRAFT_LIFETIME),
        })
        .execute();
    });
    return token;
  }

  /** The draft (or just-submitted referral) this token belongs to, or null if unknown or expired. */
  async draft(token: string | undefined): Promise<Draft | null> {
    const parsed = parseScopedToken(token);
    if (!parsed) return null;
    return inOrganisation(this.db, parsed.organisationId, async (trx) => {
      const row = await this.liveDraftRow(trx, parsed.organisationId, parsed.hash);
      if (!row) return null;
      return {
        referralId: row.referral_id,
        organisationId: row.organisation_id,
        reference: row.reference,
        status: row.status,
        answers: columnsToAnswers(row, await this.dataKey(trx, row)),
        startedAt: row.created_at,
        expiresAt: row.draft_expires_at,
      };
    });
  }

  /** Saves some answers to the draft. Returns false when the draft is gone (expired, submitted or unknown). */
  async save(token: string | undefined, changes: Partial<ReferralAnswers>): Promise<boolean> {
    const parsed = parseScopedToken(token);
    if (!parsed) return false;
    return inOrganisation(this.db, parsed.organisationId, async (trx) => {
      const row = await this.liveDraftRow(trx, parsed.organisationId, parsed.hash, true);
      if (!row || row.status !== 'draft') return false;
      const organisationKey = await this.keys.organisationKey(trx, row.organisation_id);
      const columns = answersToColumns(
        changes,
        row.referral_id,
        await this.dataKey(trx, row),
        organisationKey,
      );
      await updateReferral(trx, row.organisation_id, row.referral_id, {
        ...columns,
        updated_at: this.clock.now(),
      });
      return true;
    });
  }

  /** Sends the referral. A second submission of the same draft changes nothing and returns the same reference. */
  async submit(token: string | undefined): Promise<SubmitOutcome> {
    const parsed = parseScopedToken(token);
    if (!parsed) return { kind: 'not_found' };
    return inOrganisation(this.db, parsed.organisationId, async (trx) => {
      const row = await this.liveDraftRow(trx, parsed.organisationId, parsed.hash, true);
      if (!row) return { kind: 'not_found' } as const;
      if (row.status !== 'draft') return { kind: 'already_submitted', reference: row.reference } as const;
      const answers = columnsToAnswers(row, await this.dataKey(trx, row));
      const steps = incompleteSteps(answers);
      if (steps.length) return { kind: 'incomplete', steps } as const;
      const now = this.clock.now();
      if (now.getTime() - row.created_at.getTime() < MINIMUM_COMPLETION_TIME)
        return { kind: 'too_fast' } as const;
      const urgent = answers.inImmediateDanger === true;
      await updateReferral(trx, row.organisation_id, row.referral_id, {
        status: 'submitted',
        submitted_at: now,
        updated_at: now,
        draft_expires_at: null,
      });
      await appendAuditEvent(
        trx,
        {
          organisationId: row.organisation_id,
          actorUserId: null,
          action: 'referral.submitted',
          recordType: 'referral',
          recordId: row.reference,
          details: { route: answers.route, urgent },
        },
        now,
      );
      return {
        kind: 'submitted',
        reference: row.reference,
        urgent,
        organisationId: row.organisation_id,
      } as const;
    });
  }

  /** Deletes an unfinished draft (Exit this page, or starting again). A sent referral is never deleted. */
  async discardDraft(token: string | undefined): Promise<void> {
    const parsed = parseScopedToken(token);
    if (!parsed) return;
    await inOrganisation(this.db, parsed.organisationId, (trx) =>
      trx
        .deleteFrom('referrals')
        .where('draft_token_hash', '=', parsed.hash)
        .where('status', '=', 'draft')
        .execute(),
    );
  }

  /** Referrals waiting for a decision: urgent first, then the longest waiting. The reading is audited. */
  async queue(session: CurrentSession): Promise<QueueItem[]> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const items = await this.queueIn(trx, session);
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'referral.queue_viewed',
          details: { shown: items.length },
        },
        this.clock.now(),
      );
      return items;
    });
  }

  /** `queue` in the caller's transaction, without its audit event. */
  async queueIn(trx: Trx, session: CurrentSession): Promise<QueueItem[]> {
    const now = this.clock.now();
    const rows = await trx
      .selectFrom('referrals')
      .select([
        'referral_id',
        'reference',
        'status',
        'route',
        'in_immediate_danger',
        'no_safe_contact',
        'phone_safe',
        'email_safe',
        'person_name',
        'submitted_at',
      ])
      .where('organisation_id', '=', session.organisationId)
      .where('status', 'in', ['submitted', 'information_requested'])
      .orderBy('in_immediate_danger', (ob) => ob.desc().nullsLast())
      .orderBy('submitted_at', 'asc')
      .limit(500)
      .execute();
    return rows.map((row) => ({
      referralId: row.referral_id,
      status: row.status as QueueItem['status'],
      reference: row.reference,
      route: row.route,
      urgent: row.in_immediate_danger === true,
      noSafeContact: hasNoSafeContactMethod({
        noSafeContact: row.no_safe_contact,
        phoneSafe: row.phone_safe,
        emailSafe: row.email_safe,
      }),
      personName: row.person_name,
      submittedAt: row.submitted_at!,
      waitingMs: now.getTime() - row.submitted_at!.getTime(),
    }));
  }

  /** One referral in full, decrypted for a permitted member of staff; the reading is audited. */
  async view(session: CurrentSession, referralId: string): Promise<ReferralRecord | null> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = await findReferral(trx, session.organisationId, referralId);
      if (!row || row.status === 'draft') return null;
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'referral.viewed',
          recordType: 'referral',
          recordId: row.reference,
        },
        this.clock.now(),
      );
      return {
        referralId: row.referral_id,
        reference: row.reference,
        status: row.status,
        submittedAt: row.submitted_at,
        answers: columnsToAnswers(row, await this.dataKey(trx, row)),
        possibleDuplicates: await possibleDuplicates(
          trx,
          row,
          row.person_name
            ? blindIndex(
                blindIndexKey(await this.keys.organisationKey(trx, row.organisation_id)),
                'name',
                row.person_name,
              )
            : null,
        ),
      };
    });
  }

  private async liveDraftRow(
    trx: Trx,
    organisationId: string,
    hash: Buffer,
    lock = false,
  ): Promise<ReferralRow | undefined> {
    let query = trx
      .selectFrom('referrals')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('draft_token_hash', '=', hash);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    if (row.status === 'draft' && row.draft_expires_at && row.draft_expires_at <= this.clock.now())
      return undefined;
    return row;
  }

  private async dataKey(trx: Trx, row: ReferralRow): Promise<Buffer> {
    const organisationKey = await this.keys.organisationKey(trx, row.organisation_id);
    return this.keys.unwrapDataKey(organisationKey, row.data_key_wrapped, `referral:${row.referral_id}`);
  }
}
