import type { CaseStatus, CloseOutcome, ContactMethod, ContactOutcome } from '../../db/schema.ts';
import { formatDate, formatDateTime } from '../../platform/http/views.ts';
import { levelTag, type LevelTag } from '../risk/risk-view.ts';
import { GENDERS } from '../referrals/referral-answers.ts';
import type { CaseRecord, CaseSummary, CaseworkerLoad } from './cases.service.ts';
import type { ContactEntry, NoteEntry, StatusChangeEntry, TaskEntry } from './casework.service.ts';
import type { Client } from './clients.repository.ts';

/** One line of a summary list; `caution` marks what staff must heed before acting, shown in bold. */
export type DetailRow = { key: string; value: string; caution: boolean };

const row = (key: string, value: string, caution = false): DetailRow => ({ key, value, caution });

export const CASE_STATUS_LABELS: Record<CaseStatus, string> = {
  open: 'Waiting for allocation',
  active: 'Active',
  closed: 'Closed',
};

/**
 * How to contact the client without putting them at risk, one line per rule. Where the client did not say
 * whether something is safe, the line says to treat it as not safe until checked: the person stalking them may
 * see their phone, email or voicemail.
 */
export function safeContactRows(client: Client): DetailRow[] {
  const channel = (value: string | null, safe: boolean | null, verb: 'call' | 'email'): DetailRow => {
    const key = verb === 'call' ? 'Phone' : 'Email';
    if (!value) return row(key, verb === 'call' ? 'No phone number given' : 'No email address given');
    if (safe === true) return row(key, `${value} – safe to ${verb}`);
    if (safe === false) return row(key, `${value} – NOT safe to ${verb}`, true);
    return row(key, `${value} – not known if safe to ${verb}: check before using it`, true);
  };
  const language = client.language?.trim() ? client.language : 'Not given';
  return [
    ...(noSafeWayToContact(client)
      ? [
          row(
            'Safe way to contact',
            'NONE: there is no phone number or email address known to be safe. Do not call, text or email ' +
              'the client. Wait for them to contact us, then agree a safe way.',
            true,
          ),
        ]
      : []),
    channel(client.phone, client.phoneSafe, 'call'),
    channel(client.email, client.emailSafe, 'email'),
    row('Safe times to contact', client.safeTimes ?? 'Not given'),
    client.voicemailAllowed === true
      ? row('Voicemail', 'May leave a voicemail')
      : row(
          'Voicemail',
          client.voicemailAllowed === false
            ? 'Do not leave a voicemail'
            : 'Not known: do not leave a voicemail',
          true,
        ),
    client.maySayWhoWeAre === true
      ? row('Saying who we are', 'May say who is calling and where from')
      : row(
          'Saying who we are',
          client.maySayWhoWeAre === false
            ? 'Do not say who is calling or where from'
            : 'Not known: do not say who is calling or where from',
          true,
        ),
    row('Code word', client.codeWord ?? 'None agreed'),
    row(
      'Language',
      client.interpreterNeeded ? `${language} – interpreter needed` : language,
      client.interpreterNeeded === true,
    ),
    row('Accessibility needs', client.accessibilityNeeds ?? 'None given'),
  ];
}

/**
 * Whether nobody may contact the client: no phone or email is known to be safe (none given, or each marked not
 * safe or not known to be safe). The safe-contact summary then says so first.
 */
export function noSafeWayToContact(
  client: Pick<Client, 'phone' | 'phoneSafe' | 'email' | 'emailSafe'>,
): boolean {
  return !(client.phone && client.phoneSafe === true) && !(client.email && client.emailSafe === true);
}

/** Who the client is: name, date of birth (or the age given at referral, or since) and gender. */
export function clientIdentityRows(client: Client): DetailRow[] {
  const gender =
    client.gender === 'self_described'
      ? (client.genderDescription ?? 'Not given')
      : client.gender
        ? (GENDERS.find((item) => item.value === client.gender)?.text ?? client.gender)
        : 'Not given';
  return [
    row('Name', client.name),
    client.dateOfBirth || client.ageAtReferral === null
      ? row('Date of birth', client.dateOfBirth ? formatIsoDate(client.dateOfBirth) : 'Not given')
      : client.ageRecordedOn
        ? row('Age', `${client.ageAtReferral} on ${formatIsoDate(client.ageRecordedOn)}`)
        : row('Age at referral', String(client.ageAtReferral)),
    row('Gender', gender),
  ];
}

/** The case itself: its status, who holds it and when it opened. */
export function caseDetailRows(record: CaseRecord): DetailRow[] {
  return [
    row('Reference', record.reference),
    row('Status', CASE_STATUS_LABELS[record.status]),
    row('Urgent', record.urgent ? 'Yes' : 'No', record.urgent),
    row('Held by', record.allocatedTo?.name ?? 'Not allocated yet'),
    row('Opened', formatDate(record.openedAt)),
  ];
}

export type AllocationHistoryRow = { name: string; allocatedBy: string; from: string; to: string };

/** Everyone who has held the case, newest first; the current holder's "to" is "Now". */
export function allocationHistoryRows(allocations: CaseRecord['allocations']): AllocationHistoryRow[] {
  return allocations.map((allocation) => ({
    name: allocation.name,
    allocatedBy: allocation.allocatedByName,
    from: formatDateTime(allocation.allocatedAt),
    to: allocation.endedAt ? formatDateTime(allocation.endedAt) : 'Now',
  }));
}

/** "No open cases", "1 open case", "4 open cases, 1 urgent, 2 high risk": how much someone already holds. */
export function describeLoad(load: CaseworkerLoad): string {
  if (load.openCases === 0) return 'No open cases';
  const parts = [`${load.openCases} open case${load.openCases === 1 ? '' : 's'}`];
  if (load.urgentCases) parts.push(`${load.urgentCases} urgent`);
  if (load.highRiskCases) parts.push(`${load.highRiskCases} high risk`);
  return parts.join(', ');
}

export type RadioItem = { value: string; text: string; hint: { text: string }; checked: boolean };

/** The people a case can be allocated to, each with their current load, for the "Allocate to" radios. */
export function allocationChoices(
  loads: CaseworkerLoad[],
  currentHolderId: string | null,
  selected?: unknown,
): RadioItem[] {
  return loads.map((load) => ({
    value: load.userId,
    text: load.name,
    hint: {
      text:
        load.userId === currentHolderId ? `${describeLoad(load)}. Holds this case now.` : describeLoad(load),
    },
    checked: load.userId === selected,
  }));
}

export type CaseloadRow = {
  href: string;
  reference: string;
  clientName: string;
  status: string;
  urgent: boolean;
  opened: string;
  heldBy: string;
  risk: LevelTag | null;
  lastContact: string;
  /** Allocated lately and nobody has contacted the client since. */
  isNew: boolean;
  allocated: string;
};

/** A caseload as table rows; `caseHref` builds each case's address. */
export function caseloadRows(cases: CaseSummary[], caseHref: (caseId: string) => string): CaseloadRow[] {
  return cases.map((summary) => ({
    href: caseHref(summary.caseId),
    reference: summary.reference,
    clientName: summary.clientName,
    status: CASE_STATUS_LABELS[summary.status],
    urgent: summary.urgent,
    risk: summary.riskLevel ? levelTag(summary.riskLevel) : null,
    opened: formatDate(summary.openedAt),
    heldBy: summary.allocatedToName ?? 'Not allocated',
    lastContact: summary.lastContactAt ? formatDate(summary.lastContactAt) : 'No contact yet',
    isNew: summary.newlyAllocated,
    allocated: summary.allocatedAt ? formatDate(summary.allocatedAt) : 'Not allocated',
  }));
}

export type CaseloadTaskRow = {
  title: string;
  caseHref: string;
  caseReference: string;
  due: string;
  owner: string;
  overdue: boolean;
};

/**
 * The tasks a caseload page calls out: those overdue, and those due from today to `dueSoonThrough`
 * (YYYY-MM-DD), each soonest first.
 */
export function caseloadTasks(
  tasks: TaskEntry[],
  dueSoonThrough: string,
  caseHref: (caseId: string) => string,
): { overdue: CaseloadTaskRow[]; dueSoon: CaseloadTaskRow[] } {
  const rowOf = (task: TaskEntry): CaseloadTaskRow => ({
    title: task.title,
    caseHref: caseHref(task.caseId),
    caseReference: task.caseReference,
    due: formatIsoDate(task.dueOn),
    owner: task.ownerName,
    overdue: task.overdue,
  });
  const open = tasks.filter((task) => task.completedAt === null);
  return {
    overdue: open.filter((task) => task.overdue).map(rowOf),
    dueSoon: open.filter((task) => !task.overdue && task.dueOn <= dueSoonThrough).map(rowOf),
  };
}

export function formatIsoDate(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));
}

export const CONTACT_METHODS: { value: ContactMethod; text: string }[] = [
  { value: 'phone', text: 'Phone call' },
  { value: 'text_message', text: 'Text message' },
  { value: 'email', text: 'Email' },
  { value: 'in_person', text: 'In person' },
  { value: 'video', text: 'Video call' },
  { value: 'letter', text: 'Letter' },
  { value: 'other', text: 'Other' },
];

export const CONTACT_DIRECTIONS: { value: 'outgoing' | 'incoming'; text: string }[] = [
  { value: 'outgoing', text: 'We contacted the client' },
  { value: 'incoming', text: 'The client contacted us' },
];

export const CONTACT_OUTCOMES: { value: ContactOutcome; text: string }[] = [
  { value: 'spoke', text: 'Spoke to the client' },
  { value: 'met', text: 'Met the client' },
  { value: 'no_answer', text: 'No answer' },
  { value: 'left_voicemail', text: 'Left a voicemail' },
  { value: 'message_sent', text: 'Message sent' },
];

export const CLOSE_OUTCOMES: { value: CloseOutcome; text: string }[] = [
  { value: 'support_completed', text: 'Support completed' },
  { value: 'client_disengaged', text: 'Client disengaged' },
  { value: 'client_declined', text: 'Client declined support' },
  { value: 'moved_away', text: 'Client moved away' },
  { value: 'transferred', text: 'Transferred to another service' },
  { value: 'other', text: 'Other' },
];

const labelOf = (options: { value: string; text: string }[], value: string): string =>
  options.find((option) => option.value === value)?.text ?? value;

/** Radio items for a list of options, with the one typed before still chosen. */
export function choiceItems(
  options: { value: string; text: string }[],
  selected: unknown,
): { value: string; text: string; checked: boolean }[] {
  return options.map((option) => ({ ...option, checked: option.value === selected }));
}

/** The day, month and year boxes of a GOV.UK date input named `prefix`, keeping what was typed. */
export function dateItems(prefix: string, values: Record<string, unknown>, errored: boolean) {
  return (['day', 'month', 'year'] as const).map((part) => ({
    name: part,
    classes: `${part === 'year' ? 'govuk-input--width-4' : 'govuk-input--width-2'}${errored ? ' govuk-input--error' : ''}`,
    value: values[`${prefix}-${part}`],
    autocomplete: 'off',
  }));
}

/** A real calendar date from day, month and year boxes, as YYYY-MM-DD; null if it is not one. */
export function isoDateFrom(day: string, month: string, year: string): string | null {
  if (!/^\d{1,2}$/.test(day.trim()) || !/^\d{1,2}$/.test(month.trim()) || !/^\d{4}$/.test(year.trim()))
    return null;
  const iso = `${year.trim()}-${month.trim().padStart(2, '0')}-${day.trim().padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(iso) ? iso : null;
}

/** "14:30" or "9:05" as hours and minutes on the 24-hour clock; null if it is not a time. */
export function timeFrom(value: string): { hour: number; minute: number } | null {
  const match = /^(\d{1,2})[:.](\d{2})$/.exec(value.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour < 24 && minute < 60 ? { hour, minute } : null;
}

/** The instant a UK wall-clock time (YYYY-MM-DD, hours and minutes) names, allowing for British Summer Time. */
export function ukInstant(isoDate: string, time: { hour: number; minute: number }): Date {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(year, month - 1, day, time.hour, time.minute);
  const offsetAt = (at: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
        .formatToParts(new Date(at))
        .map((part) => [part.type, Number(part.value)]),
    ) as { year: number; month: number; day: number; hour: number; minute: number };
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) - at;
  };
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first));
}

export type ContactRow = {
  when: string;
  method: string;
  direction: string;
  outcome: string;
  duration: string;
  recordedBy: string;
  summary: string;
  safeContactBroken: boolean;
  safeContactNote: string | null;
};

/** Contacts with the client, as a person reads them; broken safe-contact rules are flagged with the reason. */
export function contactRows(contacts: ContactEntry[]): ContactRow[] {
  return contacts.map((contact) => ({
    when: formatDateTime(contact.occurredAt),
    method: labelOf(CONTACT_METHODS, contact.method),
    direction: labelOf(CONTACT_DIRECTIONS, contact.direction),
    outcome: labelOf(CONTACT_OUTCOMES, contact.outcome),
    duration:
      contact.durationMinutes === null
        ? 'Not recorded'
        : `${contact.durationMinutes} minute${contact.durationMinutes === 1 ? '' : 's'}`,
    recordedBy: contact.recordedBy,
    summary: contact.summary,
    safeContactBroken: !contact.safeContactFollowed,
    safeContactNote: contact.safeContactFollowed ? null : (contact.safeContactNote ?? 'No reason given'),
  }));
}

export type NoteRow = { body: string; recordedBy: string; when: string };

export function noteRows(notes: NoteEntry[]): NoteRow[] {
  return notes.map((note) => ({
    body: note.body,
    recordedBy: note.recordedBy,
    when: formatDateTime(note.recordedAt),
  }));
}

export type TaskRow = {
  taskId: string;
  title: string;
  due: string;
  owner: string;
  done: boolean;
  overdue: boolean;
};

/** A case's tasks: open ones first, soonest due first, as the service orders them. */
export function taskRows(tasks: TaskEntry[]): TaskRow[] {
  return tasks.map((task) => ({
    taskId: task.taskId,
    title: task.title,
    due: formatIsoDate(task.dueOn),
    owner: task.ownerName,
    done: task.completedAt !== null,
    overdue: task.overdue,
  }));
}

/** Who a new task goes to: caseworkers to choose from, the case holder chosen unless another was typed. */
export function ownerChoices(
  loads: CaseworkerLoad[],
  holderId: string | null,
  selected?: unknown,
): { value: string; text: string; selected: boolean }[] {
  const chosen = typeof selected === 'string' && selected ? selected : holderId;
  return loads.map((load) => ({ value: load.userId, text: load.name, selected: load.userId === chosen }));
}

export type StatusHistoryRow = { change: string; outcome: string; reason: string; by: string; when: string };

export function statusHistoryRows(changes: StatusChangeEntry[]): StatusHistoryRow[] {
  return changes.map((change) => ({
    change: change.toStatus === 'closed' ? 'Closed' : 'Reopened',
    outcome: change.outcome ? labelOf(CLOSE_OUTCOMES, change.outcome) : '',
    reason: change.reason,
    by: change.changedBy,
    when: formatDateTime(change.changedAt),
  }));
}
