import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { inOrganisation, type Trx } from '../../db/database.ts';
import type { CaseStatus } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { DAY, ukDate } from '../../platform/clock.ts';
import { can } from '../../platform/permissions.ts';
import { raiseReassessment } from '../risk/reassessment.ts';
import { CaseScopedService, type InScope, type ScopedCase } from '../cases/case-scope.ts';
import { addWorkingDays, detectSignals, ESCALATION, signalsToRaise } from './escalation.ts';
import { patternsSince, type DiaryAggregate } from './patterns.ts';
import {
  caseloadEscalations,
  diaryAggregate,
  escalationsOfCase,
  insertEscalation,
  type CaseloadEscalation,
  type EscalationRow,
} from './patterns.repository.ts';

export type RaisedEscalation = { rule: string; reason: string; taskId: string | null };

/**
 * Evaluates the escalation rules on a case's diary and records each signal not raised before: the escalation
 * with its reason, a task for the case's caseworker to review the risk (due in two working days; none when the
 * case is held by nobody, which the escalation then shows), and an audit event naming the rule. Runs in the
 * caller's transaction, after an entry is recorded; one case at a time, so two entries recorded at once raise a
 * signal once.
 */
export async function checkEscalation(
  trx: Trx,
  kase: ScopedCase,
  session: CurrentSession,
  now: Date,
): Promise<RaisedEscalation[]> {
  const organisationId = session.organisationId;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`diary-escalation:${kase.caseId}`}, 17))`.execute(
    trx,
  );
  const today = ukDate(now);
  const aggregate = await diaryAggregate(trx, organisationId, kase.caseId, patternsSince(today));
  const signals = detectSignals(aggregate, today);
  if (signals.length === 0) return [];
  const previous = await escalationsOfCase(trx, organisationId, kase.caseId);
  const fresh = signalsToRaise(signals, previous, now);
  if (fresh.length === 0) return [];

  const owner = kase.allocatedTo
    ? await trx
        .selectFrom('users')
        .select('user_id')
        .where('organisation_id', '=', organisationId)
        .where('user_id', '=', kase.allocatedTo)
        .where('status', '=', 'active')
        .executeTakeFirst()
    : undefined;
  const raised: RaisedEscalation[] = [];
  for (const signal of fresh) {
    let taskId: string | null = null;
    if (owner)
      taskId = await raiseReassessment(trx, {
        organisationId,
        caseId: kase.caseId,
        ownerId: owner.user_id,
        createdBy: session.user.userId,
        title: `Review risk: ${signal.reason}`,
        dueOn: addWorkingDays(today, ESCALATION.reviewDueWorkingDays),
        now,
      });
    await insertEscalation(trx, {
      organisationId,
      escalationId: randomUUID(),
      caseId: kase.caseId,
      rule: signal.rule,
      reason: signal.reason,
      detectedAt: now,
      taskId,
    });
    await appendAuditEvent(
      trx,
      {
        organisationId,
        actorUserId: session.user.userId,
        action: 'diary.escalation_raised',
        recordType: 'case',
        recordId: kase.reference,
        details: { rule: signal.rule, taskRaised: taskId !== null },
      },
      now,
    );
    raised.push({ rule: signal.rule, reason: signal.reason, taskId });
  }
  return raised;
}

export type CasePatterns = {
  record: { caseId: string; reference: string; status: CaseStatus };
  today: string;
  aggregate: DiaryAggregate;
  escalations: EscalationRow[];
};

/** What the diary's figures show: indicators, charts and escalation signals, for the patterns page and home. */
export class PatternsService extends CaseScopedService {
  /** The patterns page's figures, counted in the database; reading them is audited. */
  async patterns(session: CurrentSession, caseId: string): Promise<InScope<CasePatterns>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const now = this.clock.now();
      const today = ukDate(now);
      const [aggregate, escalations] = await Promise.all([
        diaryAggregate(trx, session.organisationId, kase.caseId, patternsSince(today)),
        escalationsOfCase(trx, session.organisationId, kase.caseId),
      ]);
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'diary.patterns_viewed',
          recordType: 'case',
          recordId: kase.reference,
        },
        now,
      );
      return {
        record: { caseId: kase.caseId, reference: kase.reference, status: kase.status },
        today,
        aggregate,
        escalations,
      };
    });
  }

  /** Escalations raised on a case in the last few weeks, for the banner on the case page. */
  async recentEscalations(
    session: CurrentSession,
    caseId: string,
  ): Promise<InScope<{ reason: string; detectedAt: Date }[]>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const since = this.clock.now().getTime() - ESCALATION.homePageDays * DAY;
      const escalations = await escalationsOfCase(trx, session.organisationId, kase.caseId);
      return escalations
        .filter((escalation) => escalation.detectedAt.getTime() >= since)
        .map(({ reason, detectedAt }) => ({ reason, detectedAt }));
    });
  }

  /**
   * Escalations in the last few weeks on the caller's own open cases, for their home page; listing any is
   * audited, as reading the caseload is.
   */
  async onCaseload(session: CurrentSession): Promise<CaseloadEscalation[]> {
    if (!can(session.user.role, 'case:read')) return [];
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const now = this.clock.now();
      const escalations = await caseloadEscalations(
        trx,
        session,
        new Date(now.getTime() - ESCALATION.homePageDays * DAY),
        now,
      );
      if (escalations.length > 0)
        await appendAuditEvent(
          trx,
          {
            organisationId: session.organisationId,
            actorUserId: session.user.userId,
            action: 'diary.escalations_listed',
            details: { cases: new Set(escalations.map((escalation) => escalation.caseId)).size },
          },
          now,
        );
      return escalations;
    });
  }
}
