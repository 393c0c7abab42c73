import type { RiskLevel } from '../../db/schema.ts';

/**
 * The four MARAC referral criteria, decided from what the case already records. Pure: the service gathers the
 * facts, this says which criteria are met and why, in words a caseworker can read out.
 */

export const MARAC_CRITERIA = [
  'visible_high_risk',
  'professional_judgement',
  'escalation',
  'repeat',
] as const;
export type MaracCriterion = (typeof MARAC_CRITERIA)[number];

export const CRITERION_LABELS: Record<MaracCriterion, string> = {
  visible_high_risk: 'Visible high risk',
  professional_judgement: 'Professional judgement',
  escalation: 'Potential escalation',
  repeat: 'Repeat',
};

/** A repeat is an incident, or a referral, within this many months of a previous MARAC referral. */
export const REPEAT_MONTHS = 12;

export type MaracSettings = {
  /** Potential escalation: this many incidents or more ... */
  escalationIncidents: number;
  /** ... within this many months up to today. */
  escalationMonths: number;
};

export const DEFAULT_MARAC_SETTINGS: MaracSettings = { escalationIncidents: 3, escalationMonths: 12 };

/** The case's latest completed risk checklist, as far as the criteria need it. */
export type ChecklistFacts = {
  completedAt: Date;
  score: number;
  /** How many questions count towards the score (24 on the shipped checklist). */
  scoredQuestions: number;
  /** The score from which the checklist's level is high (14 on the shipped checklist). */
  highThreshold: number;
  level: RiskLevel;
  /** The assessor's professional judgement on the checklist, if they raised the level, with their reason. */
  judgement: { level: RiskLevel; reason: string } | null;
};

export type CriteriaFacts = {
  checklist: ChecklistFacts | null;
  /** When each incident in the diary happened (current versions of entries that are not redacted). */
  incidents: readonly Date[];
  /** When each earlier MARAC referral of this case was made. */
  referrals: readonly Date[];
  /** A concern the caseworker writes out now (on the referral form), below any threshold. */
  concern?: string | null;
  now: Date;
  settings: MaracSettings;
};

export type CriterionResult = { criterion: MaracCriterion; label: string; met: boolean; why: string };

export type CriteriaResult = {
  results: CriterionResult[];
  met: MaracCriterion[];
  anyMet: boolean;
};

/** The same moment `months` calendar months earlier (or later), the day kept within the shorter month. */
export function addMonths(at: Date, months: number): Date {
  const result = new Date(at.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

/** "3 March 2026", in the UK. */
export function longDate(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
  }).format(at);
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

function visibleHighRisk(checklist: ChecklistFacts | null): CriterionResult {
  const base = { criterion: 'visible_high_risk' as const, label: CRITERION_LABELS.visible_high_risk };
  if (!checklist) return { ...base, met: false, why: 'No risk checklist has been completed on this case.' };
  const { score, scoredQuestions, highThreshold, completedAt } = checklist;
  const said = `${score} of ${scoredQuestions} answers were yes on the checklist of ${longDate(completedAt)}`;
  return score >= highThreshold
    ? { ...base, met: true, why: `${said}.` }
    : { ...base, met: false, why: `${said}; ${highThreshold} or more is visible high risk.` };
}

function professionalJudgement(checklist: ChecklistFacts | null, concern: string | null): CriterionResult {
  const base = {
    criterion: 'professional_judgement' as const,
    label: CRITERION_LABELS.professional_judgement,
  };
  if (concern?.trim()) return { ...base, met: true, why: `The caseworker’s concern: ${concern.trim()}` };
  if (checklist?.judgement?.level === 'high')
    return {
      ...base,
      met: true,
      why: `Professional judgement raised the checklist of ${longDate(checklist.completedAt)} to high risk: ${checklist.judgement.reason}`,
    };
  return {
    ...base,
    met: false,
    why: 'No concern has been recorded. You can refer on your professional judgement at any score: write out the concern when you refer.',
  };
}

function escalation(incidents: readonly Date[], now: Date, settings: MaracSettings): CriterionResult {
  const base = { criterion: 'escalation' as const, label: CRITERION_LABELS.escalation };
  const from = addMonths(now, -settings.escalationMonths);
  const within = incidents.filter((at) => at >= from && at <= now).length;
  const said = `${plural(within, 'incident', 'incidents')} in the ${plural(settings.escalationMonths, 'month', 'months')} to ${longDate(now)}`;
  return within >= settings.escalationIncidents
    ? { ...base, met: true, why: `${said}.` }
    : {
        ...base,
        met: false,
        why: `${said}; ${settings.escalationIncidents} or more is potential escalation.`,
      };
}

/** The latest earlier referral within REPEAT_MONTHS before `at`, if any. */
export function repeatOf(referrals: readonly Date[], at: Date): Date | null {
  const from = addMonths(at, -REPEAT_MONTHS);
  const within = referrals.filter((referred) => referred < at && referred >= from);
  return within.length ? new Date(Math.max(...within.map((date) => date.getTime()))) : null;
}

function repeat(incidents: readonly Date[], referrals: readonly Date[], now: Date): CriterionResult {
  const base = { criterion: 'repeat' as const, label: CRITERION_LABELS.repeat };
  if (!referrals.length)
    return { ...base, met: false, why: 'This case has not been referred to MARAC before.' };
  // The newest incident that came after a referral and within 12 months of it.
  const candidates = [...incidents]
    .filter((at) => at <= now)
    .sort((a, b) => b.getTime() - a.getTime())
    .map((at) => ({ at, referral: repeatOf(referrals, at) }))
    .filter((candidate) => candidate.referral !== null);
  const found = candidates[0];
  if (found?.referral)
    return {
      ...base,
      met: true,
      why: `An incident on ${longDate(found.at)} is within 12 months of the MARAC referral of ${longDate(found.referral)}.`,
    };
  const latest = new Date(Math.max(...referrals.map((date) => date.getTime())));
  return {
    ...base,
    met: false,
    why: `No incident is recorded within 12 months after a MARAC referral (the latest was on ${longDate(latest)}).`,
  };
}

/** Which of the four criteria the case meets, and why, in plain words. */
export function maracCriteria(facts: CriteriaFacts): CriteriaResult {
  const results = [
    visibleHighRisk(facts.checklist),
    professionalJudgement(facts.checklist, facts.concern ?? null),
    escalation(facts.incidents, facts.now, facts.settings),
    repeat(facts.incidents, facts.referrals, facts.now),
  ];
  const met = results.filter((result) => result.met).map((result) => result.criterion);
  return { results, met, anyMet: met.length > 0 };
}
