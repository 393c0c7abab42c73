import { formatIsoDate } from '../cases/case-view.ts';
import { paths } from '../../paths.ts';
import { CRITERION_LABELS, longDate, MARAC_CRITERIA, type CriteriaResult } from './criteria.ts';
import type { CaseMarac, MaracAction, ReferralDraft, ReferralRecord } from './marac.service.ts';
import { CONSENT_LABELS } from './referral-content.ts';

export type CriterionView = { criterion: string; label: string; met: boolean; why: string };

function criterionViews(criteria: CriteriaResult): CriterionView[] {
  return criteria.results.map((result) => ({
    criterion: result.criterion,
    label: result.label,
    met: result.met,
    why: result.why,
  }));
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The case page's MARAC section. */
export function caseMaracView(marac: CaseMarac, caseId: string, canRefer: boolean) {
  return {
    criteria: criterionViews(marac.criteria),
    anyMet: marac.criteria.anyMet,
    metLabels: marac.criteria.met.map((criterion) => CRITERION_LABELS[criterion].toLowerCase()),
    repeat: marac.repeat,
    referHref: canRefer ? paths.caseMaracNew(caseId) : null,
    referrals: marac.referrals.map((referral) => ({
      href: paths.maracReferral(caseId, referral.referralId),
      title: `MARAC referral ${referral.number}`,
      referredOn: longDate(referral.referredAt),
      meeting: referral.meetingOn ? formatIsoDate(referral.meetingOn) : 'Not set yet',
      openActions: referral.openActions
        ? plural(referral.openActions, 'open action', 'open actions')
        : 'None open',
      repeat: referral.repeat,
    })),
  };
}

/** The checkboxes of the criteria to refer under: ticked where the case meets them (or as typed). */
export function criteriaItems(draft: ReferralDraft, values: Record<string, unknown>, submitted: boolean) {
  const chosen = new Set(
    submitted
      ? ([] as string[]).concat((values.criteria as string | string[] | undefined) ?? [])
      : [...draft.criteria.met, ...(draft.judgementReason ? ['professional_judgement'] : [])],
  );
  return MARAC_CRITERIA.map((criterion) => {
    const result = draft.criteria.results.find((item) => item.criterion === criterion);
    return {
      value: criterion,
      text: CRITERION_LABELS[criterion],
      checked: chosen.has(criterion),
      hint: {
        text:
          criterion === 'professional_judgement'
            ? 'Refer on your judgement at any score: write out the concern below.'
            : `${result?.met ? 'Met' : 'Not met'}: ${result?.why ?? ''}`,
      },
      attributes: { 'data-qa': `criterion-${criterion}` },
    };
  });
}

export function consentItems(values: Record<string, unknown>) {
  return (Object.keys(CONSENT_LABELS) as (keyof typeof CONSENT_LABELS)[]).map((value) => ({
    value,
    text: CONSENT_LABELS[value],
    checked: values.consent === value,
    hint:
      value === 'proceeds_without_consent'
        ? { text: 'A high-risk referral can go ahead without consent. Give the reason below.' }
        : undefined,
    attributes: { 'data-qa': `consent-${value}` },
  }));
}

/** The criteria on the referral page: the ones referred under, and all four as they stood. */
export function referralCriteria(record: ReferralRecord) {
  return {
    referredUnder: record.content.criteria,
    automatic: record.content.automatic,
  };
}

export function actionRows(caseId: string, referralId: string, actions: MaracAction[]) {
  return actions.map((action) => ({
    actionId: action.actionId,
    what: action.what,
    owner: action.owner,
    due: action.dueOn ? formatIsoDate(action.dueOn) : 'No date',
    done: action.done,
    doneOn: action.doneAt ? longDate(action.doneAt) : null,
    doneHref: paths.maracActionDone(caseId, referralId, action.actionId),
  }));
}

/** The meeting form's date boxes, from the date recorded (or as typed). */
export function meetingValues(record: ReferralRecord): Record<string, string> {
  if (!record.meetingOn) return { outcome: record.outcome ?? '' };
  const [year, month, day] = record.meetingOn.split('-');
  return {
    'meetingOn-day': String(Number(day)),
    'meetingOn-month': String(Number(month)),
    'meetingOn-year': year ?? '',
    outcome: record.outcome ?? '',
  };
}
