import { EMPTY_ANSWERS, type ReferralAnswers } from '../../src/modules/referrals/referral-answers.ts';
import { inOrganisation } from '../../src/db/database.ts';
import type { CurrentSession } from '../../src/platform/auth/sessions.ts';
import type { StaffCredentials, TestApp } from './app.ts';

/** A complete self-referral's answers; traits override what a test cares about. */
export function referralAnswers(overrides: Partial<ReferralAnswers> = {}): ReferralAnswers {
  return {
    ...EMPTY_ANSWERS,
    route: 'self',
    inImmediateDanger: false,
    personName: 'Jordan Example',
    personDateOfBirth: '1990-04-12',
    phone: '07700 900123',
    phoneSafe: true,
    voicemailAllowed: false,
    maySayWhoWeAre: false,
    email: 'jordan@example.org',
    emailSafe: true,
    safeTimes: 'Weekdays after 6pm',
    codeWord: 'bluebell',
    interpreterNeeded: false,
    behaviours: ['messages_calls', 'turning_up'],
    whatIsHappening: 'He keeps messaging me from new numbers and waits outside my work.',
    duration: '1_to_6_months',
    perpetratorKnown: true,
    perpetratorName: 'Alex Sample',
    perpetratorRelationship: 'ex_partner',
    policeInvolved: 'no',
    childrenInHousehold: 'no',
    ...overrides,
  };
}

export const urgent: Partial<ReferralAnswers> = { inImmediateDanger: true };

/** A referral sent through the public front door's service, as if someone had filled in every page. */
export async function givenReferral(
  test: TestApp,
  organisationId: string,
  overrides: Partial<ReferralAnswers> = {},
): Promise<{ reference: string; referralId: string }> {
  const token = await test.services.referrals.startDraft(organisationId);
  await test.services.referrals.save(token, referralAnswers(overrides));
  test.clock.advance(5 * 60_000);
  const outcome = await test.services.referrals.submit(token);
  if (outcome.kind !== 'submitted') throw new Error(`referral not submitted: ${outcome.kind}`);
  const draft = await test.services.referrals.draft(token);
  return { reference: outcome.reference, referralId: draft!.referralId };
}

/** A live session for calling services directly as this person (as if they had signed in). */
export async function sessionFor(test: TestApp, user: StaffCredentials): Promise<CurrentSession> {
  const token = await inOrganisation(test.database.db, user.organisationId, (trx) =>
    test.services.sessions.start(trx, user.organisationId, user.userId, 'active', {
      clientAddress: null,
      userAgent: null,
    }),
  );
  const found = await test.services.sessions.lookup(token);
  if (found.kind !== 'active') throw new Error('session did not start');
  return found.session;
}

/** A case opened by accepting a referral, allocated to `holder` when given. */
export async function givenCase(
  test: TestApp,
  manager: StaffCredentials,
  options: { holder?: StaffCredentials; answers?: Partial<ReferralAnswers> } = {},
): Promise<{ caseId: string; referralId: string; reference: string }> {
  const { referralId } = await givenReferral(test, manager.organisationId, options.answers);
  const outcome = await test.services.triage.decide(await sessionFor(test, manager), referralId, {
    decision: 'accepted',
    reason: 'Meets the service criteria',
    allocateTo: options.holder?.userId ?? null,
    linkToClientId: null,
  });
  if (outcome.kind !== 'decided' || !outcome.caseId) throw new Error(`case not opened: ${outcome.kind}`);
  const { caseId } = outcome;
  const { reference } = await inOrganisation(test.database.db, manager.organisationId, (trx) =>
    trx.selectFrom('cases').select('reference').where('case_id', '=', caseId).executeTakeFirstOrThrow(),
  );
  return { caseId, referralId, reference };
}
