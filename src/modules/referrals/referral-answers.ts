/**
 * What a referral asks, in domain terms. The lists are the product's own words for the behaviours in the
 * Protection from Harassment Act 1997 s.2A(3), plus the online forms that services see most.
 */
export const BEHAVIOURS = [
  { value: 'following', text: 'Following them' },
  { value: 'contact', text: 'Contacting them, or trying to, in any way' },
  { value: 'turning_up', text: 'Turning up at their home, work or school' },
  { value: 'loitering', text: 'Hanging around places they go' },
  { value: 'watching', text: 'Watching or spying on them' },
  { value: 'property', text: 'Interfering with or damaging their property' },
  { value: 'publishing', text: 'Posting or publishing things about them' },
  { value: 'monitoring', text: 'Checking their phone, email or internet use' },
  { value: 'messages_calls', text: 'Repeated messages or calls' },
  { value: 'social_media', text: 'Contact through social media' },
  { value: 'fake_accounts', text: 'Fake accounts or pretending to be them' },
  { value: 'tracking', text: 'Tracking devices or apps' },
  { value: 'gifts', text: 'Sending unwanted gifts or letters' },
  { value: 'third_parties', text: 'Contacting their friends, family or employer' },
  { value: 'threats', text: 'Threats' },
  { value: 'violence', text: 'Physical or sexual violence' },
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number]['value'];

export const DURATIONS = [
  { value: 'under_1_month', text: 'Less than a month' },
  { value: '1_to_6_months', text: '1 to 6 months' },
  { value: '6_to_12_months', text: '6 to 12 months' },
  { value: '1_to_2_years', text: '1 to 2 years' },
  { value: 'over_2_years', text: 'More than 2 years' },
  { value: 'not_sure', text: 'Not sure' },
] as const;

export const RELATIONSHIPS = [
  { value: 'ex_partner', text: 'An ex-partner' },
  { value: 'partner', text: 'A current partner' },
  { value: 'family_member', text: 'A family member' },
  { value: 'acquaintance', text: 'Someone they know, such as a friend or neighbour' },
  { value: 'colleague', text: 'A colleague or someone from work, school or college' },
  { value: 'online_only', text: 'Someone they know only online' },
  { value: 'stranger', text: 'A stranger' },
  { value: 'unknown', text: 'They do not know who it is' },
] as const;

export const GENDERS = [
  { value: 'woman', text: 'Woman' },
  { value: 'man', text: 'Man' },
  { value: 'non_binary', text: 'Non-binary' },
  { value: 'self_described', text: 'Prefer to self-describe' },
  { value: 'prefer_not_to_say', text: 'Prefer not to say' },
] as const;

export type YesNoNotSure = 'yes' | 'no' | 'not_sure';

export type ReferralAnswers = {
  route: 'self' | 'professional' | null;
  referrerName: string | null;
  referrerRole: string | null;
  referrerAgency: string | null;
  referrerPhone: string | null;
  referrerEmail: string | null;
  consentConfirmed: boolean | null;
  inImmediateDanger: boolean | null;
  personName: string | null;
  /** ISO date, YYYY-MM-DD. */
  personDateOfBirth: string | null;
  personAge: number | null;
  gender: string | null;
  genderDescription: string | null;
  phone: string | null;
  phoneSafe: boolean | null;
  email: string | null;
  emailSafe: boolean | null;
  /** They said there is no safe way to contact them right now, so gave no phone or email. */
  noSafeContact: boolean;
  safeTimes: string | null;
  voicemailAllowed: boolean | null;
  maySayWhoWeAre: boolean | null;
  codeWord: string | null;
  language: string | null;
  interpreterNeeded: boolean | null;
  accessibilityNeeds: string | null;
  behaviours: string[];
  whatIsHappening: string | null;
  duration: string | null;
  perpetratorKnown: boolean | null;
  perpetratorName: string | null;
  perpetratorRelationship: string | null;
  policeInvolved: YesNoNotSure | null;
  crimeReference: string | null;
  childrenInHousehold: 'yes' | 'no' | 'prefer_not_to_say' | null;
};

export const EMPTY_ANSWERS: ReferralAnswers = {
  route: null,
  referrerName: null,
  referrerRole: null,
  referrerAgency: null,
  referrerPhone: null,
  referrerEmail: null,
  consentConfirmed: null,
  inImmediateDanger: null,
  personName: null,
  personDateOfBirth: null,
  personAge: null,
  gender: null,
  genderDescription: null,
  phone: null,
  phoneSafe: null,
  email: null,
  emailSafe: null,
  noSafeContact: false,
  safeTimes: null,
  voicemailAllowed: null,
  maySayWhoWeAre: null,
  codeWord: null,
  language: null,
  interpreterNeeded: null,
  accessibilityNeeds: null,
  behaviours: [],
  whatIsHappening: null,
  duration: null,
  perpetratorKnown: null,
  perpetratorName: null,
  perpetratorRelationship: null,
  policeInvolved: null,
  crimeReference: null,
  childrenInHousehold: null,
};

/** The journey's question pages, in order. Professional referrals have two more at the start. */
export const STEPS = [
  'who',
  'referrer',
  'consent',
  'danger',
  'person',
  'contact',
  'language',
  'what',
  'perpetrator',
  'police',
  'children',
] as const;
export type StepId = (typeof STEPS)[number];

export function stepsFor(route: ReferralAnswers['route']): StepId[] {
  return STEPS.filter((step) => route === 'professional' || (step !== 'referrer' && step !== 'consent'));
}

const complete: Record<StepId, (a: ReferralAnswers) => boolean> = {
  who: (a) => a.route !== null,
  referrer: (a) =>
    Boolean(a.referrerName && a.referrerRole && a.referrerAgency && (a.referrerPhone || a.referrerEmail)),
  consent: (a) => a.consentConfirmed === true,
  danger: (a) => a.inImmediateDanger !== null,
  person: (a) => Boolean(a.personName) && (a.personDateOfBirth !== null || a.personAge !== null),
  contact: (a) =>
    (a.noSafeContact || Boolean(a.phone || a.email)) &&
    (!a.phone || (a.phoneSafe !== null && a.voicemailAllowed !== null && a.maySayWhoWeAre !== null)) &&
    (!a.email || a.emailSafe !== null),
  language: (a) => a.interpreterNeeded !== null,
  what: (a) => (a.behaviours.length > 0 || Boolean(a.whatIsHappening)) && a.duration !== null,
  perpetrator: (a) =>
    a.perpetratorKnown !== null && (!a.perpetratorKnown || a.perpetratorRelationship !== null),
  police: (a) => a.policeInvolved !== null,
  children: (a) => a.childrenInHousehold !== null,
};

/** The question pages still to answer before the referral can be sent, in journey order. */
export function incompleteSteps(answers: ReferralAnswers): StepId[] {
  return stepsFor(answers.route).filter((step) => !complete[step](answers));
}

/**
 * Nobody can be contacted safely: the person said so, or gave no phone or email they said is safe to use (a
 * channel's "safe" answer is kept only when the channel is given). Triage sees this first, so no one calls or
 * emails them on a guess.
 */
export function hasNoSafeContactMethod(
  a: Pick<ReferralAnswers, 'noSafeContact' | 'phoneSafe' | 'emailSafe'>,
): boolean {
  return a.noSafeContact || !(a.phoneSafe === true || a.emailSafe === true);
}
