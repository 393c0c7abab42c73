import { randomUUID } from 'node:crypto';
import { inOrganisation, type Db } from '../../db/database.ts';
import type { TriageDecision } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import type { CaseService } from '../cases/cases.service.ts';
import { clientToRow, findClient } from '../cases/clients.repository.ts';
import { columnsToAnswers, findReferral, updateReferral } from './referrals.repository.ts';

export type DecisionInput =
  | { decision: 'accepted'; reason: string; allocateTo: string | null; linkToClientId: string | null }
  | { decision: 'signposted'; reason: string; signpostedTo: string }
  | { decision: 'declined'; reason: string }
  | { decision: 'information_requested'; reason: string };

export type DecisionOutcome =
  | { kind: 'decided'; decision: TriageDecision; caseId: string | null }
  | { kind: 'already_decided'; decision: string }
  | { kind: 'not_found' }
  | { kind: 'invalid'; field: 'allocateTo' | 'linkToClientId'; message: string };

export type DecisionHistoryItem = {
  decision: TriageDecision;
  reason: string;
  signpostedTo: string | null;
  decidedBy: string;
  decidedAt: Date;
  caseId: string | null;
};

/**
 * Triage: each decision on a referral is recorded with who, when and why. Accepting makes (or links) the client
 * and opens a case in the same transaction, optionally allocating it at once.
 */
export class TriageService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;
  private readonly cases: CaseService;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing; cases: CaseService }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
    this.cases = deps.cases;
  }

  async decide(session: CurrentSession, referralId: string, input: DecisionInput): Promise<DecisionOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const referral = await trx
        .selectFrom('referrals')
        .selectAll()
        .where('organisation_id', '=', session.organisationId)
        .where('referral_id', '=', referralId)
        .forUpdate()
        .executeTakeFirst();
      if (!referral || referral.status === 'draft') return { kind: 'not_found' } as const;
      if (referral.status !== 'submitted' && referral.status !== 'information_requested') {
        return { kind: 'already_decided', decision: referral.status } as const;
      }
      const now = this.clock.now();
      let caseId: string | null = null;
      if (input.decision === 'accepted') {
        const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
        let clientId = input.linkToClientId;
        if (clientId) {
          if (!(await findClient(trx, session.organisationId, clientId))) {
            return {
              kind: 'invalid',
              field: 'linkToClientId',
              message: 'Select a client from the list',
            } as const;
          }
        } else {
          const referralKey = this.keys.unwrapDataKey(
            organisationKey,
            referral.data_key_wrapped,
            `referral:${referral.referral_id}`,
          );
          const answers = columnsToAnswers(referral, referralKey);
          clientId = randomUUID();
          const { key, wrapped } = this.keys.newDataKey(organisationKey, `client:${clientId}`);
          await trx
            .insertInto('clients')
            .values(
              clientToRow(
                {
                  clientId,
                  name: answers.personName ?? 'Name not given',
                  dateOfBirth: answers.personDateOfBirth,
                  ageAtReferral: answers.personAge,
                  gender: answers.gender,
                  genderDescription: answers.genderDescription,
                  phone: answers.phone,
                  phoneSafe: answers.phoneSafe,
                  email: answers.email,
                  emailSafe: answers.emailSafe,
                  safeTimes: answers.safeTimes,
                  voicemailAllowed: answers.voicemailAllowed,
                  maySayWhoWeAre: answers.maySayWhoWeAre,
                  codeWord: answers.codeWord,
                  language: answers.language,
                  interpreterNeeded: answers.interpreterNeeded,
                  accessibilityNeeds: answers.accessibilityNeeds,
                },
                session.organisationId,
                key,
                wrapped,
                organisationKey,
                now,
              ),
            )
            .execute();
        }
        const opened = await this.cases.openCase(
          trx,
          session,
          clientId,
          referral.in_immediate_danger === true,
        );
        caseId = opened.caseId;
        if (input.allocateTo) {
          const allocated = await this.cases.allocateIn(trx, session, caseId, input.allocateTo);
          if (allocated !== 'done') {
            throw new InvalidAllocation();
          }
        }
      }
      await trx
        .insertInto('referral_decisions')
        .values({
          organisation_id: session.organisationId,
          decision_id: randomUUID(),
          referral_id: referralId,
          decision: input.decision,
          reason: input.reason,
          signposted_to: input.decision === 'signposted' ? input.signpostedTo : null,
          case_id: caseId,
          decided_by: session.user.userId,
          decided_at: now,
        })
        .execute();
      await updateReferral(trx, session.organisationId, referralId, {
        status: input.decision,
        updated_at: now,
      });
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: `referral.${input.decision}`,
          recordType: 'referral',
          recordId: referral.reference,
          reason: input.reason,
        },
        now,
      );
      return { kind: 'decided', decision: input.decision, caseId } as const;
    }).catch((error: unknown) => {
      if (error instanceof InvalidAllocation) {
        return {
          kind: 'invalid',
          field: 'allocateTo',
          message: 'Select a caseworker from the list',
        } as const;
      }
      throw error;
    });
  }

  async history(session: CurrentSession, referralId: string): Promise<DecisionHistoryItem[]> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      if (!(await findReferral(trx, session.organisationId, referralId))) return [];
      const rows = await trx
        .selectFrom('referral_decisions')
        .innerJoin('users', (join) =>
          join
            .onRef('users.organisation_id', '=', 'referral_decisions.organisation_id')
            .onRef('users.user_id', '=', 'referral_decisions.decided_by'),
        )
        .select(['decision', 'reason', 'signposted_to', 'users.display_name', 'decided_at', 'case_id'])
        .where('referral_decisions.organisation_id', '=', session.organisationId)
        .where('referral_id', '=', referralId)
        .orderBy('decided_at', 'asc')
        .execute();
      return rows.map((row) => ({
        decision: row.decision,
        reason: row.reason,
        signpostedTo: row.signposted_to,
        decidedBy: row.display_name,
        decidedAt: row.decided_at,
        caseId: row.case_id,
      }));
    });
  }
}

/** Thrown inside the transaction so that an accepted referral with a bad allocation rolls back whole. */
class InvalidAllocation extends Error {}
