import { randomUUID } from 'node:crypto';
import { formatIsoDate } from '../cases/case-view.ts';
import { formatDate, formatDateTime } from '../../platform/http/views.ts';
import type { FormErrors } from '../../platform/http/forms.ts';
import { paths } from '../../paths.ts';
import type { Plan, PlanAction } from './plan.ts';
import type { RowIndexes } from './safety-plans.schema.ts';
import type { CaseSafetyPlan, VersionSummary } from './safety-plans.service.ts';
import { SECTIONS, STATUS_LABELS, STATUSES, WHO, WHO_LABELS, type Section } from './sections.ts';
import { SHARING_PROBLEMS, sharedWords, sharingProblem, type SharingContext } from './sharing.ts';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The case page's safety plan section: none yet, or the latest version's who, when, review and open actions. */
export function caseSafetyPlanView(status: CaseSafetyPlan, caseId: string, canChange: boolean) {
  const href = paths.caseSafetyPlan(caseId);
  if (!status)
    return {
      exists: false,
      summary: 'No safety plan yet.',
      link: canChange ? { text: 'Create a safety plan', href } : null,
      rows: [],
    };
  return {
    exists: true,
    summary: `Version ${status.versionNumber} saved ${formatDate(status.savedAt)} by ${status.savedBy}.`,
    link: { text: 'View the safety plan', href },
    rows: [
      { key: 'Review due', value: status.reviewOn ? formatIsoDate(status.reviewOn) : 'No review date set' },
      {
        key: 'Open actions',
        value: status.openActions ? plural(status.openActions, 'open action', 'open actions') : 'None open',
      },
    ],
  };
}

/** How an action is shown to staff: who, status, review date, and whether the client sees it (and if not, why). */
function actionView(action: PlanAction, sharing: SharingContext) {
  const problem = action.shared ? sharingProblem(sharedWords(action), sharing) : null;
  return {
    what: action.what,
    who: action.who === 'other' ? (action.whoName ?? WHO_LABELS.other) : WHO_LABELS[action.who],
    status: STATUS_LABELS[action.status],
    statusKey: action.status,
    review: action.reviewOn ? formatIsoDate(action.reviewOn) : null,
    shared: action.shared && !problem,
    withheld: problem ? `Not shown to the client: it ${SHARING_PROBLEMS[problem]}` : null,
  };
}

/** A plan shown section by section (the plan's page and an earlier version's). */
export function planSections(
  plan: Plan,
  sharing: SharingContext,
  changeHref: ((section: Section) => string) | null,
) {
  return SECTIONS.map((section) => ({
    key: section.key,
    title: section.title,
    hint: section.hint,
    changeHref: changeHref ? changeHref(section) : null,
    actions: plan.sections[section.key].map((action) => actionView(action, sharing)),
    contacts:
      section.key === 'emergency-contacts'
        ? {
            people: plan.contacts.map((contact) => ({
              name: contact.name,
              relationship: contact.relationship,
              phone: contact.phone,
              notes: contact.notes,
            })),
            codeWord: plan.codeWord,
          }
        : null,
  }));
}

/** The version history: newest first, with who, when and what changed. */
export function historyRows(caseId: string, versions: VersionSummary[]) {
  return versions.map((version) => ({
    versionNumber: version.versionNumber,
    savedAt: formatDateTime(version.savedAt),
    savedBy: version.savedBy,
    changeSummary: version.changeSummary,
    href: paths.safetyPlanVersion(caseId, String(version.versionNumber)),
  }));
}

const londonTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** "This plan was changed by Casey Worker at 10:42 since you opened it…" (with the day when not today). */
export function changedSinceMessage(savedBy: string, savedAt: Date, now: Date): string {
  const time = londonTime.format(savedAt);
  const when =
    formatDate(savedAt) === formatDate(now) ? `at ${time}` : `at ${time} on ${formatDate(savedAt)}`;
  return `This plan was changed by ${savedBy} ${when} since you opened it: your changes are shown below, check and save again`;
}

/** The flat form values of a section's actions and contacts, as its page's fields are named. */
export function sectionValues(plan: Plan, section: Section): Record<string, string> {
  const values: Record<string, string> = {};
  plan.sections[section.key].forEach((action, index) => {
    const prefix = `action-${index}`;
    values[`${prefix}-id`] = action.actionId;
    values[`${prefix}-what`] = action.what;
    values[`${prefix}-who`] = action.who;
    values[`${prefix}-whoName`] = action.whoName ?? '';
    values[`${prefix}-status`] = action.status;
    if (action.reviewOn) {
      const [year, month, day] = action.reviewOn.split('-');
      values[`${prefix}-reviewOn-day`] = String(Number(day));
      values[`${prefix}-reviewOn-month`] = String(Number(month));
      values[`${prefix}-reviewOn-year`] = year ?? '';
    }
    if (action.shared) values[`${prefix}-shared`] = 'yes';
  });
  if (section.key === 'emergency-contacts') {
    plan.contacts.forEach((contact, index) => {
      const prefix = `contact-${index}`;
      values[`${prefix}-id`] = contact.contactId;
      values[`${prefix}-name`] = contact.name;
      values[`${prefix}-relationship`] = contact.relationship;
      values[`${prefix}-phone`] = contact.phone;
      values[`${prefix}-notes`] = contact.notes ?? '';
    });
    values.codeWord = plan.codeWord ?? '';
  }
  return values;
}

/** Adds a blank row (an action, or a contact) after the last, with a new id; new actions start as "To do". */
export function withBlankRow(
  values: Record<string, unknown>,
  rows: RowIndexes,
  kind: 'action' | 'contact',
): { values: Record<string, unknown>; rows: RowIndexes } {
  const list = kind === 'action' ? rows.actions : rows.contacts;
  const index = (list.at(-1) ?? -1) + 1;
  const added: Record<string, unknown> = { ...values, [`${kind}-${index}-id`]: randomUUID() };
  if (kind === 'action') added[`action-${index}-status`] = 'to_do';
  return {
    values: added,
    rows:
      kind === 'action'
        ? { ...rows, actions: [...rows.actions, index] }
        : { ...rows, contacts: [...rows.contacts, index] },
  };
}

/** The rows a section's values hold, from their id fields. */
export function rowsIn(values: Record<string, unknown>): RowIndexes {
  const indexes = (kind: string) =>
    Object.keys(values)
      .map((key) => new RegExp(`^${kind}-(\\d+)-id$`).exec(key)?.[1])
      .filter((index): index is string => index !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  return { actions: indexes('action'), contacts: indexes('contact') };
}

const value = (values: Record<string, unknown>, key: string) => {
  const found = values[key];
  return typeof found === 'string' ? found : '';
};

/** The action rows of a section's page, with what was typed and each field's message. */
export function actionRows(values: Record<string, unknown>, rows: RowIndexes, errors?: FormErrors) {
  const fieldError = (key: string) => errors?.fields[key];
  return rows.actions.map((index, position) => {
    const prefix = `action-${index}`;
    const reviewErrored = Boolean(fieldError(`${prefix}-reviewOn-day`));
    return {
      prefix,
      number: position + 1,
      id: value(values, `${prefix}-id`),
      what: value(values, `${prefix}-what`),
      whoName: value(values, `${prefix}-whoName`),
      whoItems: WHO.map((who) => ({
        value: who,
        text: WHO_LABELS[who],
        checked: value(values, `${prefix}-who`) === who,
      })),
      statusItems: STATUSES.map((status) => ({
        value: status,
        text: STATUS_LABELS[status],
        checked: value(values, `${prefix}-status`) === status,
      })),
      reviewItems: (['day', 'month', 'year'] as const).map((part) => ({
        name: part,
        classes: `${part === 'year' ? 'govuk-input--width-4' : 'govuk-input--width-2'}${reviewErrored ? ' govuk-input--error' : ''}`,
        value: value(values, `${prefix}-reviewOn-${part}`),
        autocomplete: 'off',
      })),
      shared: value(values, `${prefix}-shared`) === 'yes',
      remove: value(values, `${prefix}-remove`) === 'yes',
      errors: {
        what: fieldError(`${prefix}-what`),
        who: fieldError(`${prefix}-who`),
        whoName: fieldError(`${prefix}-whoName`),
        status: fieldError(`${prefix}-status`),
        reviewOn: fieldError(`${prefix}-reviewOn-day`),
        shared: fieldError(`${prefix}-shared`),
      },
    };
  });
}

/** The emergency contact rows of the contacts section's page. */
export function contactRows(values: Record<string, unknown>, rows: RowIndexes, errors?: FormErrors) {
  const fieldError = (key: string) => errors?.fields[key];
  return rows.contacts.map((index, position) => {
    const prefix = `contact-${index}`;
    return {
      prefix,
      number: position + 1,
      id: value(values, `${prefix}-id`),
      name: value(values, `${prefix}-name`),
      relationship: value(values, `${prefix}-relationship`),
      phone: value(values, `${prefix}-phone`),
      notes: value(values, `${prefix}-notes`),
      remove: value(values, `${prefix}-remove`) === 'yes',
      errors: {
        name: fieldError(`${prefix}-name`),
        relationship: fieldError(`${prefix}-relationship`),
        phone: fieldError(`${prefix}-phone`),
        notes: fieldError(`${prefix}-notes`),
      },
    };
  });
}

/** The review date boxes, from the plan's date (or as typed). */
export function reviewDateValues(reviewOn: string | null): Record<string, string> {
  if (!reviewOn) return {};
  const [year, month, day] = reviewOn.split('-');
  return {
    'reviewOn-day': String(Number(day)),
    'reviewOn-month': String(Number(month)),
    'reviewOn-year': year ?? '',
  };
}
