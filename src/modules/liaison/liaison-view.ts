import { ukDate } from '../../platform/clock.ts';
import { formatDate, formatDateTime } from '../../platform/http/views.ts';
import { paths } from '../../paths.ts';
import { formatIsoDate } from '../cases/case-view.ts';
import { momentValues } from '../diary/diary-view.ts';
import { addDays, weekStartOf } from '../diary/patterns.ts';
import type {
  CalendarHearing,
  CaseLiaison,
  CrimeReference,
  Hearing,
  PoliceContact,
  PoliceContactVersion,
} from './liaison.service.ts';
import {
  COURT_TYPES,
  CRIME_STATUSES,
  HEARING_OUTCOMES,
  HEARING_SUPPORT,
  HEARING_TYPES,
  labelOf,
  OFFENCES,
  POLICE_ROLES,
  SPECIAL_MEASURES,
  type Option,
} from './options.ts';
import type { SpoRequestSummary } from './spo-request.service.ts';

/** Radio items for a list of options, with the one chosen (or typed before) checked. */
export function radioItems(options: readonly Option<string>[], selected: unknown, qa: string) {
  return options.map((option) => ({
    value: option.value,
    text: option.text,
    checked: option.value === selected,
    attributes: { 'data-qa': `${qa}-${option.value}` },
  }));
}

/** Checkbox items, ticked as chosen (one value or several). */
export function checkboxItems(options: readonly Option<string>[], selected: unknown, qa: string) {
  const chosen = new Set(([] as unknown[]).concat(selected ?? []));
  return options.map((option) => ({
    value: option.value,
    text: option.text,
    checked: chosen.has(option.value),
    attributes: { 'data-qa': `${qa}-${option.value}` },
  }));
}

const joinLabels = (options: readonly Option<string>[], values: readonly string[], none: string) =>
  values.length ? values.map((value) => labelOf(options, value)).join(', ') : none;

export function supportText(hearing: {
  support: readonly string[];
  measuresRequested: readonly string[];
  measuresGranted: readonly string[];
}) {
  return {
    support: joinLabels(HEARING_SUPPORT, hearing.support, 'None arranged'),
    requested: joinLabels(SPECIAL_MEASURES, hearing.measuresRequested, 'None'),
    granted: joinLabels(SPECIAL_MEASURES, hearing.measuresGranted, 'None'),
  };
}

function contactCard(caseId: string, contactId: string, version: PoliceContactVersion) {
  return {
    officer: `${version.officerName}${version.collarNumber ? ` (${version.collarNumber})` : ''}`,
    force: version.force,
    role: labelOf(POLICE_ROLES, version.role),
    phone: version.phone ?? 'Not recorded',
    email: version.email ?? 'Not recorded',
    notes: version.notes,
    involved: version.involved,
    recorded: `${formatDateTime(version.recordedAt)} by ${version.recordedBy}`,
    changeHref: paths.policeContactChange(caseId, contactId),
  };
}

export function contactView(caseId: string, contact: PoliceContact) {
  return {
    contactId: contact.contactId,
    ...contactCard(caseId, contact.contactId, contact.current),
    changes: contact.earlier.length,
    earlier: contact.earlier.map((version) => ({
      version: version.version,
      ...contactCard(caseId, contact.contactId, version),
    })),
    notInvolvedHref: paths.policeContactNotInvolved(caseId, contact.contactId),
  };
}

/** A contact's current version as the change form's values. */
export function contactValues(contact: PoliceContact): Record<string, string> {
  const current = contact.current;
  return {
    force: current.force,
    officerName: current.officerName,
    collarNumber: current.collarNumber ?? '',
    role: current.role,
    phone: current.phone ?? '',
    email: current.email ?? '',
    notes: current.notes ?? '',
  };
}

export function crimeReferenceView(caseId: string, reference: CrimeReference) {
  const latest = reference.updates.at(-1);
  return {
    crimeReferenceId: reference.crimeReferenceId,
    reference: reference.reference,
    force: reference.force,
    offence: reference.offenceDetail
      ? `${labelOf(OFFENCES, reference.offence)}: ${reference.offenceDetail}`
      : labelOf(OFFENCES, reference.offence),
    status: latest ? labelOf(CRIME_STATUSES, latest.status) : 'Not recorded',
    statusOn: latest ? formatIsoDate(latest.statusOn) : '',
    href: paths.crimeReference(caseId, reference.crimeReferenceId),
    history: [...reference.updates].reverse().map((update) => ({
      status: labelOf(CRIME_STATUSES, update.status),
      on: formatIsoDate(update.statusOn),
      note: update.note ?? '',
      by: update.recordedBy,
      recorded: formatDateTime(update.recordedAt),
    })),
  };
}

/** A crime reference's label on a hearing: its reference and offence. */
export function crimeReferenceChoices(references: CrimeReference[], selected: unknown) {
  return [
    { value: '', text: 'Not about a crime reported', selected: !selected },
    ...references.map((reference) => ({
      value: reference.crimeReferenceId,
      text: `${reference.reference} (${labelOf(OFFENCES, reference.offence)})`,
      selected: selected === reference.crimeReferenceId,
    })),
  ];
}

function hearingTypeText(hearing: Pick<Hearing, 'hearingType' | 'hearingTypeOther'>) {
  return hearing.hearingType === 'other' && hearing.hearingTypeOther
    ? hearing.hearingTypeOther
    : labelOf(HEARING_TYPES, hearing.hearingType);
}

export function hearingView(caseId: string, hearing: Hearing, references: CrimeReference[], now: Date) {
  const reference = references.find((item) => item.crimeReferenceId === hearing.crimeReferenceId);
  return {
    hearingId: hearing.hearingId,
    when: formatDateTime(hearing.startsAt),
    past: hearing.startsAt.getTime() < now.getTime(),
    court: `${labelOf(COURT_TYPES, hearing.courtType)}: ${hearing.venue}`,
    hearingType: hearingTypeText(hearing),
    crimeReference: reference ? reference.reference : null,
    ...supportText(hearing),
    notes: hearing.notes,
    outcome: hearing.outcome ? labelOf(HEARING_OUTCOMES, hearing.outcome) : null,
    outcomeNote: hearing.outcomeNote,
    reminder: hearing.hasReminder,
    changeHref: paths.hearingChange(caseId, hearing.hearingId),
    outcomeHref: paths.hearingOutcome(caseId, hearing.hearingId),
  };
}

/** A hearing as the change form's values. */
export function hearingValues(hearing: Hearing): Record<string, unknown> {
  return {
    courtType: hearing.courtType,
    venue: hearing.venue,
    ...momentValues('startsOn', 'startsTime', hearing.startsAt),
    hearingType: hearing.hearingType,
    hearingTypeOther: hearing.hearingTypeOther ?? '',
    crimeReferenceId: hearing.crimeReferenceId ?? '',
    support: hearing.support,
    measuresRequested: hearing.measuresRequested,
    measuresGranted: hearing.measuresGranted,
    notes: hearing.notes ?? '',
  };
}

/** The case page's Police and Court sections. */
export function caseLiaisonView(
  liaison: CaseLiaison,
  requests: SpoRequestSummary[],
  caseId: string,
  canRecord: boolean,
  now: Date,
) {
  const hearings = liaison.hearings.map((hearing) =>
    hearingView(caseId, hearing, liaison.crimeReferences, now),
  );
  return {
    canRecord,
    contacts: liaison.contacts.map((contact) => contactView(caseId, contact)),
    crimeReferences: liaison.crimeReferences.map((reference) => crimeReferenceView(caseId, reference)),
    upcoming: hearings.filter((hearing) => !hearing.past),
    past: hearings.filter((hearing) => hearing.past).reverse(),
    requests: requests.map((request) => ({
      title: `SPO request ${request.number}`,
      href: paths.spoRequest(caseId, request.requestId),
      made: `${formatDate(request.requestedAt)} by ${request.requestedBy}`,
    })),
    links: {
      addContact: paths.casePoliceContactNew(caseId),
      addCrimeReference: paths.caseCrimeReferenceNew(caseId),
      addHearing: paths.caseHearingNew(caseId),
      spoRequest: paths.caseSpoRequestNew(caseId),
      calendar: paths.hearings,
    },
  };
}

export type CalendarWeek = {
  title: string;
  rows: {
    when: string;
    caseHref: string;
    reference: string;
    court: string;
    hearingType: string;
    support: string;
    outcome: string | null;
  }[];
};

function calendarRow(hearing: CalendarHearing) {
  const support = supportText(hearing);
  return {
    when: formatDateTime(hearing.startsAt),
    caseHref: paths.case(hearing.caseId),
    reference: hearing.reference,
    court: `${labelOf(COURT_TYPES, hearing.courtType)}: ${hearing.venue}`,
    hearingType: labelOf(HEARING_TYPES, hearing.hearingType),
    support: hearing.measuresRequested.length
      ? `${support.support}; special measures asked for: ${support.requested}`
      : support.support,
    outcome: hearing.outcome ? labelOf(HEARING_OUTCOMES, hearing.outcome) : null,
  };
}

/**
 * The calendar page: hearings from today on, week by week (weeks start on Monday), soonest first; then the
 * last few weeks' hearings, most recent first, so outcomes still to record are in view.
 */
export function calendarView(hearings: CalendarHearing[], now: Date) {
  const today = ukDate(now);
  const thisWeek = weekStartOf(today);
  const weeks = new Map<string, CalendarWeek>();
  for (const hearing of hearings) {
    const day = ukDate(hearing.startsAt);
    if (day < today) continue;
    const start = weekStartOf(day);
    const title =
      start === thisWeek
        ? 'This week'
        : start === addDays(thisWeek, 7)
          ? 'Next week'
          : `Week beginning ${formatIsoDate(start)}`;
    const week = weeks.get(start) ?? { title, rows: [] };
    week.rows.push(calendarRow(hearing));
    weeks.set(start, week);
  }
  const earlier = hearings
    .filter((hearing) => ukDate(hearing.startsAt) < today)
    .reverse()
    .map(calendarRow);
  return { weeks: [...weeks.values()], earlier };
}
