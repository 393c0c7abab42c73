/**
 * Court hearings as an iCalendar file (RFC 5545), for a caseworker's own calendar. A calendar leaves Vigil
 * (phones, mail servers, calendar services), so each event says only that there is a hearing on a case, by
 * the case's reference, and when, in UK time: no names, no venue, no hearing details (ADR 0021 says why).
 */

export type CalendarEvent = {
  /** The hearing's id: the event's UID, so importing a newer file updates the same events. */
  hearingId: string;
  reference: string;
  startsAt: Date;
  /** When the hearing was last changed (the event's DTSTAMP, so the same hearings give the same file). */
  updatedAt: Date;
  cancelled: boolean;
};

/** Europe/London's rules since 1996: British Summer Time from the last Sunday of March to that of October. */
const EUROPE_LONDON = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'TZNAME:BST',
  'DTSTART:19700329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'TZNAME:GMT',
  'DTSTART:19701025T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** A moment as UK wall-clock time in iCalendar's form, like 20270115T100000. */
export function londonLocal(at: Date): string {
  const parts = Object.fromEntries(londonParts.formatToParts(at).map((part) => [part.type, part.value]));
  return `${parts.year}${parts.month}${parts.day}T${parts.hour}${parts.minute}${parts.second}`;
}

/** A moment in UTC in iCalendar's form, like 20261205T090000Z. */
export function utcStamp(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** TEXT values escape backslashes, semicolons, commas and line breaks. */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line to 75 octets a line, never splitting a character (RFC 5545 3.1). */
export function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const character of line) {
    const size = Buffer.byteLength(character, 'utf8');
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with a space
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += character;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

export function eventSummary(reference: string): string {
  return `Court hearing – case ${reference}`;
}

/** The whole calendar file, CRLF line endings, for the events given. */
export function icalendar(events: readonly CalendarEvent[]): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Vigil//Court hearings//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'X-WR-CALNAME:Court hearings',
    'X-WR-TIMEZONE:Europe/London',
    ...EUROPE_LONDON,
  ];
  for (const event of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.hearingId}@vigil`,
      `DTSTAMP:${utcStamp(event.updatedAt)}`,
      `DTSTART;TZID=Europe/London:${londonLocal(event.startsAt)}`,
      `SUMMARY:${escapeText(eventSummary(event.reference))}`,
      `DESCRIPTION:${escapeText('Open the case in Vigil for the court, the hearing and the support arranged.')}`,
      `STATUS:${event.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'CLASS:PRIVATE',
      'TRANSP:OPAQUE',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
