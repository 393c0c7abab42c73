import { EMPTY_ANSWERS, type ReferralAnswers } from '../../src/modules/referrals/referral-answers.ts';
import type { TestApp } from './app.ts';

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
