import { formatDate, formatDateTime } from '../../platform/http/views.ts';
import {
  BEHAVIOUR_WORDS,
  columnHeading,
  IMPORT_FIELDS,
  type ImportRow,
  type ImportedEntry,
} from './import.ts';
import { behaviourLabel, INCIDENT_BEHAVIOURS } from './incident-types.ts';

type Cell = { text?: string; html?: string; classes?: string; attributes?: Record<string, string> };

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ?? character,
  );

const timeOf = (at: Date) => formatDateTime(at).split(', ')[1] ?? '';

/** When a row says it happened, in UK time: exact, a range of times, or a whole day when no time was given. */
export function importedWhen(entry: Pick<ImportedEntry, 'occurredFrom' | 'occurredTo'>): string {
  const from = new Date(entry.occurredFrom);
  if (entry.occurredTo === null) return formatDateTime(from);
  const to = new Date(entry.occurredTo);
  const wholeDay = timeOf(from) === '12:00am' && timeOf(to) === '12:00am';
  if (wholeDay && to.getTime() - from.getTime() <= 25 * 3_600_000)
    return `${formatDate(from)} (time not known)`;
  return `${formatDateTime(from)} to ${formatDate(to) === formatDate(from) ? timeOf(to) : formatDateTime(to)}`;
}

/**
 * The preview's rows for a GOV.UK table: each row's number, when, what happened (with the behaviour, place and
 * police report under it), and whether it will be imported or what is wrong with it.
 */
export function previewTableRows(rows: ImportRow[]): Cell[][] {
  return rows.map((row) => {
    const { entry } = row;
    const attributes = { id: `row-${row.row}` };
    if (!entry) {
      const said = [row.cells.date, row.cells.time].filter(Boolean).join(' ');
      return [
        { text: String(row.row), attributes },
        { text: said || 'No date' },
        { text: row.cells.description || 'Nothing under what happened', classes: 'app-preserve-lines' },
        {
          html:
            '<strong class="govuk-tag govuk-tag--red">Will not be imported</strong>' +
            row.errors
              .map(
                (error) =>
                  `<p class="govuk-error-message govuk-!-margin-top-2 govuk-!-margin-bottom-0">${escapeHtml(error)}</p>`,
              )
              .join(''),
          attributes: { 'data-qa': 'row-problem' },
        },
      ];
    }
    const behaviours = entry.behaviours.map(behaviourLabel).join(', ');
    const lines = [
      `<span class="govuk-!-font-weight-bold">Behaviour:</span> ${escapeHtml(behaviours)}${
        entry.behavioursFromDescription ? ' (found in what happened: check it is right)' : ''
      }`,
      entry.location
        ? `<span class="govuk-!-font-weight-bold">Where:</span> ${escapeHtml(entry.location)}`
        : '',
      `<span class="govuk-!-font-weight-bold">Reported to police:</span> ${entry.reportedToPolice ? 'Yes' : 'No'}${
        entry.crimeReference ? ` (${escapeHtml(entry.crimeReference)})` : ''
      }`,
      entry.witnesses
        ? `<span class="govuk-!-font-weight-bold">Witnesses:</span> ${escapeHtml(entry.witnesses)}`
        : '',
    ].filter(Boolean);
    return [
      { text: String(row.row), attributes },
      { text: importedWhen(entry) },
      {
        html:
          `<p class="govuk-body app-preserve-lines govuk-!-margin-bottom-2">${escapeHtml(entry.description)}</p>` +
          lines.map((line) => `<p class="govuk-body-s govuk-!-margin-bottom-1">${line}</p>`).join(''),
      },
      {
        html: '<strong class="govuk-tag govuk-tag--green">Will be imported</strong>',
        attributes: { 'data-qa': 'row-ok' },
      },
    ];
  });
}

/** The columns the upload page explains, with what each accepts. */
export const COLUMN_HELP: { heading: string; help: string }[] = IMPORT_FIELDS.map((field) => ({
  heading: columnHeading(field),
  help: {
    date: 'Required. Day first, for example 23/11/2026, 23-11-2026, 2026-11-23 or 23 November 2026.',
    time: 'Optional. UK time, for example 19:30, 7:30pm or 19:00-20:30. If it is empty, the entry covers the whole day.',
    location: 'Optional. Where it happened.',
    description:
      'Required. What happened, in the victim’s words. Also read from a column called Description or Details.',
    behaviours:
      'Optional. The kind of behaviour, for example messages, calls or following. Separate several with commas.',
    reportedToPolice: 'Optional. Yes or no. Empty counts as no, unless there is a police reference.',
    crimeReference: 'Optional. The crime or incident reference the police gave.',
    policeOfficer: 'Optional. The officer dealt with.',
    witnesses: 'Optional. Who else saw or heard it.',
    impact: 'Optional. How it affected the victim, in their words.',
  }[field],
}));

/** The words that name each kind of behaviour, for the upload page. */
export function behaviourWordRows(): { behaviour: string; words: string }[] {
  return INCIDENT_BEHAVIOURS.map(({ value, text }) => ({
    behaviour: text,
    words: BEHAVIOUR_WORDS.filter((entry) => entry.behaviour === value)
      .flatMap((entry) => entry.words)
      .join(', '),
  }));
}
