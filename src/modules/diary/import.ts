import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ukDate } from '../../platform/clock.ts';
import { isoDateFrom } from '../cases/case-view.ts';
import type { IncidentFacts } from './diary-entry.ts';
import { INCIDENT_BEHAVIOURS, type IncidentBehaviour } from './incident-types.ts';

/**
 * Reading a diary kept elsewhere (on paper, in a spreadsheet, in a notes app) from CSV: which column is which,
 * what each row says, and what is wrong with a row, in plain words with its row number. Pure: the service
 * seals what this reads and imports it only when the user confirms.
 */

export const IMPORT_LIMITS = {
  /** The largest file (or pasted text) read, in bytes. */
  bytes: 2 * 1024 * 1024,
  /** The most rows (after the headings) one import takes. */
  rows: 5000,
  description: 10_000,
  otherCell: 1000,
} as const;

export const IMPORT_FIELDS = [
  'date',
  'time',
  'location',
  'description',
  'behaviours',
  'reportedToPolice',
  'crimeReference',
  'policeOfficer',
  'witnesses',
  'impact',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Each field's heading in the template, how it is named in messages, and the headings that mean it. */
const COLUMNS: Record<ImportField, { heading: string; name: string; aliases: string[] }> = {
  date: {
    heading: 'Date',
    name: 'the date',
    aliases: ['date', 'day', 'when', 'dateofincident', 'incidentdate', 'datehappened'],
  },
  time: {
    heading: 'Time',
    name: 'the time',
    aliases: ['time', 'timeofincident', 'incidenttime', 'approximatetime', 'approxtime', 'timehappened'],
  },
  location: {
    heading: 'Location',
    name: 'the location',
    aliases: ['location', 'place', 'where', 'wherehappened', 'wheredidithappen'],
  },
  description: {
    heading: 'What happened',
    name: 'what happened',
    aliases: [
      'whathappened',
      'description',
      'details',
      'incident',
      'incidentdetails',
      'whatdidtheydo',
      'event',
      'notes',
      'summary',
    ],
  },
  behaviours: {
    heading: 'Behaviour',
    name: 'the behaviour',
    aliases: [
      'behaviour',
      'behaviours',
      'behavior',
      'behaviors',
      'type',
      'typeofbehaviour',
      'typeofbehavior',
      'kind',
      'category',
      'typeofincident',
      'incidenttype',
    ],
  },
  reportedToPolice: {
    heading: 'Reported to police',
    name: 'reported to police',
    aliases: ['reportedtopolice', 'reported', 'policereported', 'toldpolice', 'reportedtothepolice'],
  },
  crimeReference: {
    heading: 'Police reference',
    name: 'the police reference',
    aliases: [
      'policereference',
      'policeref',
      'crimereference',
      'crimeref',
      'crimenumber',
      'incidentnumber',
      'lognumber',
      'reference',
      'ref',
    ],
  },
  policeOfficer: {
    heading: 'Police officer',
    name: 'the police officer',
    aliases: ['policeofficer', 'officer', 'officername', 'officerincase'],
  },
  witnesses: {
    heading: 'Witnesses',
    name: 'the witnesses',
    aliases: ['witnesses', 'witness', 'whosawit', 'whoelsesawit'],
  },
  impact: {
    heading: 'How it affected you',
    name: 'how it affected them',
    aliases: ['howitaffectedyou', 'impact', 'howitaffectedme', 'effect', 'howyoufelt', 'howifelt'],
  },
};

export function columnHeading(field: ImportField): string {
  return COLUMNS[field].heading;
}

const headingKey = (heading: string) => heading.toLowerCase().replace(/[^a-z]/g, '');

/**
 * Words that name each kind of behaviour, in the behaviour column or, when that is empty, in what happened.
 * `words` is what the upload page lists; `pattern` is how they are found.
 */
export const BEHAVIOUR_WORDS: { behaviour: IncidentBehaviour; words: string[]; pattern: RegExp }[] = [
  {
    behaviour: 'messages',
    words: ['text', 'message', 'email', 'letter', 'WhatsApp', 'voicemail'],
    pattern:
      /\b(texts?|texted|texting|messages?|messaged|messaging|sms|e-?mails?|e-?mailed|letters?|whatsapp|voicemails?)\b/,
  },
  {
    behaviour: 'calls',
    words: ['call', 'phoned', 'rang'],
    pattern: /\b(calls?|called|calling|phoned|phoning|rang|ringing|missed calls?)\b/,
  },
  {
    behaviour: 'following',
    words: ['followed', 'following'],
    pattern: /\b(follow|follows|followed|following)\b/,
  },
  {
    behaviour: 'watching',
    words: ['watched', 'watching', 'spying', 'staring'],
    pattern: /\b(watch|watched|watching|spy|spied|spying|stared|staring)\b/,
  },
  {
    behaviour: 'loitering',
    words: ['loitering', 'hanging around', 'waiting outside', 'parked outside'],
    pattern:
      /\b(loiter|loitered|loitering|hanging around|hung around|wait(ed|ing)? outside|parked outside)\b/,
  },
  {
    behaviour: 'turning_up_home',
    words: ['turned up at my home', 'came to the house', 'outside my flat', 'doorstep'],
    pattern:
      /\b((turn(ed|ing|s)? up|came|comes|showed up|appeared|outside|knocked) (at |to |on )?(my |the |her |his |their )?(home|house|flat|door)|doorstep)\b/,
  },
  {
    behaviour: 'turning_up_work_school',
    words: ['turned up at work', 'came to my school', 'outside my office'],
    pattern:
      /\b(turn(ed|ing|s)? up|came|comes|showed up|appeared|outside|waiting|waited) (at |to )?(my |the |her |his |their )?(work|workplace|office|school|college|university)\b/,
  },
  {
    behaviour: 'social_media',
    words: ['social media', 'Facebook', 'Instagram', 'TikTok', 'Snapchat', 'Twitter'],
    pattern: /\b(social media|facebook|instagram|tiktok|snapchat|twitter|linkedin|dm|dms|dmed)\b/,
  },
  {
    behaviour: 'fake_accounts',
    words: ['fake account', 'fake profile', 'pretending to be'],
    pattern: /\b(fake (account|profile)s?|impersonat\w*|pretend(ed|ing)? to be)\b/,
  },
  {
    behaviour: 'tracking',
    words: ['tracker', 'tracking', 'AirTag', 'GPS'],
    pattern: /\b(tracker|tracked|tracking|airtags?|gps|location sharing)\b/,
  },
  {
    behaviour: 'monitoring',
    words: ['monitoring', 'hacked', 'into my account'],
    pattern: /\b(monitor|monitored|monitoring|hacked|hacking|into my (account|email|phone))\b/,
  },
  {
    behaviour: 'publishing',
    words: ['posted about', 'published', 'shared photos'],
    pattern: /\b(posted about|published|publishing|shared (my )?(photos|pictures|images|videos))\b/,
  },
  {
    behaviour: 'property',
    words: ['damaged', 'property', 'smashed'],
    pattern: /\b(damage|damaged|damaging|property|smashed|slashed|keyed|broke into)\b/,
  },
  {
    behaviour: 'gifts',
    words: ['gift', 'flowers', 'parcel'],
    pattern: /\b(gifts?|flowers|parcels?)\b/,
  },
  {
    behaviour: 'third_parties',
    words: ['my family', 'my friends', 'my mum', 'employer'],
    pattern:
      /\b(my (family|friends?|mum|dad|mother|father|sister|brother|employer|boss|colleagues?)|employer)\b/,
  },
  {
    behaviour: 'threats',
    words: ['threat', 'threatened'],
    pattern: /\b(threat|threats|threaten|threatened|threatening)\b/,
  },
  {
    behaviour: 'violence',
    words: ['violence', 'hit', 'assaulted', 'pushed'],
    pattern: /\b(violence|violent|hit|assault|assaulted|pushed|punched|attacked|grabbed)\b/,
  },
  {
    behaviour: 'sexual',
    words: ['sexual'],
    pattern: /\b(sexual|sexually|indecent)\b/,
  },
  {
    behaviour: 'order_breach',
    words: ['breach', 'bail conditions', 'injunction'],
    pattern:
      /\b(breach|breached|bail conditions|injunction|non-molestation|restraining order|protection order)\b/,
  },
  {
    behaviour: 'contact',
    words: ['contact', 'approached', 'spoke to me'],
    pattern: /\b(contact|contacted|contacting|approached|spoke to me|tried to talk)\b/,
  },
];

/** What one row makes: a diary entry, with when as UTC instants. */
export type ImportedEntry = {
  occurredFrom: string;
  /** The end of the range it happened within: the end of the day when no time was given. */
  occurredTo: string | null;
  behaviours: IncidentBehaviour[];
  /** True when the behaviour column was empty and the behaviours were found in what happened. */
  behavioursFromDescription: boolean;
  reportedToPolice: boolean;
  description: string;
  location: string | null;
  witnesses: string | null;
  crimeReference: string | null;
  policeOfficer: string | null;
  impactInWords: string | null;
};

export type ImportRow = {
  /** The row's number as a spreadsheet shows it: the headings are row 1. */
  row: number;
  /** What the file said in each column it has, trimmed. */
  cells: Partial<Record<ImportField, string>>;
  /** What is wrong, in plain words, each starting "Row N:". Empty when the row will be imported. */
  errors: string[];
  entry: ImportedEntry | null;
};

export type CsvReading =
  | { kind: 'read'; rows: ImportRow[]; columns: ImportField[]; ignoredColumns: string[] }
  | { kind: 'refused'; message: string };

const importedEntryShape = z.object({
  occurredFrom: z.string(),
  occurredTo: z.string().nullable(),
  behaviours: z.array(z.enum(INCIDENT_BEHAVIOURS.map((b) => b.value) as [IncidentBehaviour])),
  behavioursFromDescription: z.boolean(),
  reportedToPolice: z.boolean(),
  description: z.string(),
  location: z.string().nullable(),
  witnesses: z.string().nullable(),
  crimeReference: z.string().nullable(),
  policeOfficer: z.string().nullable(),
  impactInWords: z.string().nullable(),
});

/** The shape of what is sealed between checking a file and importing it. */
export const sealedImportShape = z.object({
  rows: z.array(
    z.object({
      row: z.number().int(),
      cells: z.partialRecord(z.enum(IMPORT_FIELDS), z.string()),
      errors: z.array(z.string()),
      entry: importedEntryShape.nullable(),
    }),
  ),
  columns: z.array(z.enum(IMPORT_FIELDS)),
  ignoredColumns: z.array(z.string()),
});
export type SealedImport = z.infer<typeof sealedImportShape>;

/**
 * The text of an uploaded file: UTF-8 (with or without Excel's byte order mark), or else Windows-1252, which
 * Excel's plain "CSV" uses. Null when it is not text at all (a spreadsheet saved as .xlsx, a photo).
 */
export function decodeCsvBytes(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Comma, semicolon (Excel where the decimal mark is a comma) or tab: whichever the heading line uses most. */
function delimiterOf(text: string): string {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const count = (character: string) => firstLine.split(character).length - 1;
  const [best] = [',', ';', '\t'].sort((a, b) => count(b) - count(a));
  return count(best!) > 0 ? best! : ',';
}

const plural = (count: number, one: string, many = `${one}s`) =>
  `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;

/**
 * Reads a diary from CSV text: the headings in the first row say which column is which (forgivingly), and each
 * further row is one incident. `now` decides what is in the future. A file that cannot be read at all is
 * `refused` with the reason; otherwise every row comes back, with its problems if it has any.
 */
export function readDiaryCsv(text: string, now: Date): CsvReading {
  if (Buffer.byteLength(text, 'utf8') > IMPORT_LIMITS.bytes)
    return { kind: 'refused', message: 'The file must be smaller than 2 MB' };
  if (text.replace(/^\uFEFF/, '').trim() === '') return { kind: 'refused', message: 'The file is empty' };
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    const where = typeof line === 'number' ? ` on line ${line}` : '';
    return (error as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED'
      ? { kind: 'refused', message: `A quotation mark${where} is never closed, so the file cannot be read` }
      : { kind: 'refused', message: `The file cannot be read as CSV${where}` };
  }
  const [headings = [], ...body] = records;

  const columnOf = new Map<ImportField, number>();
  const ignoredColumns: string[] = [];
  headings.forEach((heading, index) => {
    const key = headingKey(heading);
    const field = IMPORT_FIELDS.find((candidate) => COLUMNS[candidate].aliases.includes(key));
    if (field && !columnOf.has(field)) columnOf.set(field, index);
    else if (heading.trim() !== '') ignoredColumns.push(heading.trim().slice(0, 100));
  });
  const missing = (['date', 'description'] as const).filter((field) => !columnOf.has(field));
  if (missing.length > 0) {
    const names = missing.map((field) => `‘${COLUMNS[field].heading}’`).join(' and ');
    return {
      kind: 'refused',
      message: `The first row must name the columns: there is no ${names} column`,
    };
  }

  // Spreadsheets leave rows with nothing in them; they are not incidents, but they keep their number.
  const numbered = body
    .map((cells, index) => ({ cells, row: index + 2 }))
    .filter(({ cells }) => cells.some((cell) => cell.trim() !== ''));
  if (numbered.length === 0) return { kind: 'refused', message: 'The file has headings but no rows' };
  if (numbered.length > IMPORT_LIMITS.rows)
    return {
      kind: 'refused',
      message: `The file has ${plural(numbered.length, 'row')}; import at most ${IMPORT_LIMITS.rows.toLocaleString('en-GB')} at a time by splitting it into smaller files`,
    };

  const today = ukDate(now);
  const rows = numbered.map(({ cells, row }) => {
    const picked: Partial<Record<ImportField, string>> = {};
    for (const [field, index] of columnOf) picked[field] = (cells[index] ?? '').trim();
    return readRow(row, picked, today, now);
  });
  return { kind: 'read', rows, columns: [...columnOf.keys()], ignoredColumns };
}

function readRow(
  row: number,
  cells: Partial<Record<ImportField, string>>,
  today: string,
  now: Date,
): ImportRow {
  const errors: string[] = [];
  const problem = (text: string) => errors.push(`Row ${row}: ${text}`);
  const cell = (field: ImportField) => cells[field] ?? '';

  let dateCell = cell('date');
  let timeCell = cell('time');
  // Spreadsheets often export a date with a time in the same cell ("2026-11-23 19:30:00").
  const withTime = /^(.*?\d)(?:T|\s+)(\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)$/i.exec(dateCell);
  if (withTime && dateFrom(withTime[1]!).kind !== 'unreadable') {
    dateCell = withTime[1]!;
    if (timeCell === '' && !/^0?0[:.]00(:00)?$/.test(withTime[2]!)) timeCell = withTime[2]!;
  }

  let occurredFrom: Date | null = null;
  let occurredTo: Date | null = null;
  const date = dateFrom(dateCell);
  if (dateCell === '') problem('the date is missing');
  else if (date.kind === 'unreadable')
    problem(`‘${dateCell}’ is not a date that can be read; write it like 23/11/2026`);
  else if (date.kind === 'impossible') problem(`the date ${dateCell} does not exist`);
  else if (date.iso > today) problem(`the date ${dateCell} is in the future`);
  else {
    const times = timeCell === '' ? null : timesFrom(timeCell);
    if (timeCell === '') {
      occurredFrom = ukInstant(date.iso, { hour: 0, minute: 0 });
      occurredTo = ukInstant(nextDay(date.iso), { hour: 0, minute: 0 });
    } else if (!times) {
      problem(
        `‘${timeCell}’ is not a time that can be read; write it like 19:30 or 7:30pm, or leave it empty if it is not known`,
      );
    } else {
      occurredFrom = ukInstant(date.iso, times.from);
      occurredTo = times.to
        ? ukInstant(
            times.to.hour * 60 + times.to.minute > times.from.hour * 60 + times.from.minute
              ? date.iso
              : nextDay(date.iso),
            times.to,
          )
        : null;
      if (occurredFrom > now || (occurredTo !== null && occurredTo > now))
        problem(`the time ${timeCell} on ${dateCell} has not happened yet`);
    }
  }

  const description = cell('description');
  if (description === '') problem('what happened is missing');
  else if (description.length > IMPORT_LIMITS.description)
    problem(`what happened is longer than ${IMPORT_LIMITS.description.toLocaleString('en-GB')} characters`);
  for (const field of IMPORT_FIELDS) {
    if (['date', 'time', 'description'].includes(field)) continue;
    if (cell(field).length > IMPORT_LIMITS.otherCell)
      problem(
        `${COLUMNS[field].name} is longer than ${IMPORT_LIMITS.otherCell.toLocaleString('en-GB')} characters`,
      );
  }

  const behaviourCell = cell('behaviours');
  let behaviours: IncidentBehaviour[] = [];
  const behavioursFromDescription = behaviourCell === '';
  if (behaviourCell !== '') {
    const parts = behaviourCell.split(/[,;/&+|]|\band\b/i).map((part) => part.trim());
    for (const part of parts.filter(Boolean)) {
      const found = behavioursIn(part);
      if (found.length === 0)
        problem(
          `‘${part}’ is not a kind of behaviour that can be recognised; use words like messages, calls or following`,
        );
      behaviours.push(...found);
    }
  } else if (description !== '') {
    behaviours = behavioursIn(description);
    if (behaviours.length === 0)
      problem(
        'say what kind of behaviour this was in a ‘Behaviour’ column, for example messages, calls or following',
      );
  }
  behaviours = INCIDENT_BEHAVIOURS.map((b) => b.value).filter((value) => behaviours.includes(value));

  const reportedCell = cell('reportedToPolice');
  const reported = yesNo(reportedCell);
  if (reported === 'unreadable') problem(`reported to police should be yes or no, not ‘${reportedCell}’`);
  const optional = (field: ImportField) => (cell(field) === '' ? null : cell(field));

  if (errors.length > 0 || !occurredFrom) return { row, cells, errors, entry: null };
  return {
    row,
    cells,
    errors,
    entry: {
      occurredFrom: occurredFrom.toISOString(),
      occurredTo: occurredTo?.toISOString() ?? null,
      behaviours,
      behavioursFromDescription,
      // A police reference means it was reported, whatever the other column says.
      reportedToPolice: reported === true || cell('crimeReference') !== '',
      description,
      location: optional('location'),
      witnesses: optional('witnesses'),
      crimeReference: optional('crimeReference'),
      policeOfficer: optional('policeOfficer'),
      impactInWords: optional('impact'),
    },
  };
}

export function behavioursIn(text: string): IncidentBehaviour[] {
  const lower = text.toLowerCase().replace(/[’']/g, '');
  const exact = INCIDENT_BEHAVIOURS.find(
    (b) => b.value === lower.replace(/\s+/g, '_') || b.text.toLowerCase() === lower,
  );
  if (exact) return [exact.value];
  return BEHAVIOUR_WORDS.filter(({ pattern }) => pattern.test(lower)).map(({ behaviour }) => behaviour);
}

function yesNo(cell: string): boolean | 'unreadable' {
  const value = cell.trim().toLowerCase().replace(/[.!]$/, '');
  if (['', 'no', 'n', 'false', '0', 'not reported', 'not yet', 'none', '-'].includes(value)) return false;
  if (['yes', 'y', 'true', '1', 'reported', 'x', '✓', '✔'].includes(value)) return true;
  return 'unreadable';
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function monthNumber(word: string): number | null {
  const lower = word.toLowerCase().replace(/\.$/, '');
  if (lower.length < 3) return null;
  if (lower === 'sept') return 9;
  const index = MONTHS.findIndex((month) => month === lower || month.slice(0, 3) === lower);
  return index === -1 ? null : index + 1;
}

type DateReading = { kind: 'date'; iso: string } | { kind: 'impossible' } | { kind: 'unreadable' };

/**
 * A UK calendar date, day first: 23/11/2026, 23-11-2026, 23.11.26, 2026-11-23, 23 November 2026, Monday 23rd
 * Nov 2026, November 23, 2026. Two-digit years are this century.
 */
export function dateFrom(cell: string): DateReading {
  const value = cell.trim();
  const checked = (day: string | number, month: string | number, year: string) => {
    const fullYear = year.length === 2 ? `20${year}` : year;
    const iso = isoDateFrom(String(day), String(month), fullYear);
    return iso ? ({ kind: 'date', iso } as const) : ({ kind: 'impossible' } as const);
  };
  let match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/.exec(value);
  if (match) return checked(match[1]!, match[2]!, match[3]!);
  match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (match) return checked(match[3]!, match[2]!, match[1]!);
  match = /^(?:[a-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+\.?),?\s+(\d{4})$/i.exec(value);
  if (match) {
    const month = monthNumber(match[2]!);
    return month ? checked(match[1]!, month, match[3]!) : { kind: 'unreadable' };
  }
  match = /^(?:[a-z]+,?\s+)?([a-z]+\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/i.exec(value);
  if (match) {
    const month = monthNumber(match[1]!);
    return month ? checked(match[2]!, month, match[3]!) : { kind: 'unreadable' };
  }
  return { kind: 'unreadable' };
}

type Time = { hour: number; minute: number };

/** A time of day on the 24-hour or 12-hour clock: 19:30, 19.30, 7:30pm, 7pm, noon, midnight. */
export function timeFrom(cell: string): Time | null {
  const value = cell
    .trim()
    .toLowerCase()
    .replace(/^(about|around|approx\.?|approximately|roughly|c\.|~)\s*/, '');
  if (value === 'noon' || value === 'midday') return { hour: 12, minute: 0 };
  if (value === 'midnight') return { hour: 0, minute: 0 };
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})?\s*([ap])?\.?(?:m\.?)?$/.exec(value);
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = match[2] === undefined ? 0 : Number(match[2]);
  const half = match[3];
  if (minute > 59) return null;
  if (half) {
    if (hour < 1 || hour > 12) return null;
    return { hour: (hour % 12) + (half === 'p' ? 12 : 0), minute };
  }
  // Without am or pm, a bare number ("7") could be morning or evening: minutes are needed.
  if (match[2] === undefined || hour > 23) return null;
  return { hour, minute };
}

/** A time, or a range of times ("19:00-20:30", "7pm to 9pm"). */
function timesFrom(cell: string): { from: Time; to: Time | null } | null {
  const single = timeFrom(cell);
  if (single) return { from: single, to: null };
  const parts = cell.split(/\s*(?:-|–|—|\bto\b|\buntil\b)\s*/i);
  if (parts.length !== 2) return null;
  const from = timeFrom(parts[0]!);
  const to = timeFrom(parts[1]!);
  return from && to ? { from, to } : null;
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** How far UK wall-clock time is ahead of UTC at an instant (0 in GMT, an hour in BST). */
function londonOffset(at: number): number {
  const parts = Object.fromEntries(
    londonParts.formatToParts(new Date(at)).map((part) => [part.type, Number(part.value)]),
  ) as { year: number; month: number; day: number; hour: number; minute: number };
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) - at;
}

/**
 * The instant a UK wall-clock time names, allowing for British Summer Time (as case-view's ukInstant does, with
 * one formatter for a whole file of rows). A time the clocks skip (1:30am on the day they go forward) is read
 * as the same time on the clock before the change.
 */
export function ukInstant(isoDate: string, time: Time): Date {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(year, month - 1, day, time.hour, time.minute);
  const first = wall - londonOffset(wall);
  return new Date(wall - londonOffset(first));
}

function nextDay(iso: string): string {
  const next = new Date(`${iso}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** The facts a diary entry records, from a row that will be imported. */
export function entryFacts(entry: ImportedEntry): IncidentFacts {
  return {
    occurredFrom: new Date(entry.occurredFrom),
    occurredTo: entry.occurredTo === null ? null : new Date(entry.occurredTo),
    behaviours: entry.behaviours,
    impacts: [],
    channel: null,
    perpetratorId: null,
    reportedToPolice: entry.reportedToPolice,
    details: {
      description: entry.description,
      location: entry.location,
      mapPoint: null,
      accountUsed: null,
      impactInWords: entry.impactInWords,
      witnesses: entry.witnesses,
      evidenceSaved: null,
      policeOfficer: entry.policeOfficer,
      crimeReference: entry.crimeReference,
    },
    identifiers: [],
  };
}

/** The template the upload page offers: the headings only, with a byte order mark so Excel reads it as UTF-8. */
export function templateCsv(): string {
  return `\uFEFF${IMPORT_FIELDS.map((field) => COLUMNS[field].heading).join(',')}\r\n`;
}
