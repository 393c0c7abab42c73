import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  behavioursIn,
  dateFrom,
  decodeCsvBytes,
  entryFacts,
  readDiaryCsv,
  templateCsv,
  timeFrom,
  type CsvReading,
} from './import.ts';
import { importedWhen, previewTableRows } from './import-view.ts';
import { rowSubmissionId } from './import.service.ts';

const NOW = new Date('2026-11-23T21:00:00Z');

function read(csv: string, now = NOW) {
  const reading: CsvReading = readDiaryCsv(csv, now);
  if (reading.kind === 'refused') assert.fail(reading.message);
  return reading;
}

const errorsOf = (csv: string) => read(csv).rows.flatMap((row) => row.errors);

describe('reading a diary from CSV', () => {
  describe('dates', () => {
    it('reads UK dates day first in the ways people write them', () => {
      for (const written of [
        '23/11/2026',
        '23-11-2026',
        '23.11.2026',
        '23/11/26',
        '2026-11-23',
        '23 November 2026',
        '23rd Nov 2026',
        'Monday 23 November 2026',
        'November 23, 2026',
      ]) {
        assert.deepEqual(dateFrom(written), { kind: 'date', iso: '2026-11-23' }, written);
      }
      assert.deepEqual(dateFrom('3/4/2026'), { kind: 'date', iso: '2026-04-03' }, 'day first, not month');
    });

    it('tells a date that does not exist from words that are not a date', () => {
      assert.deepEqual(dateFrom('31/02/2026'), { kind: 'impossible' });
      assert.deepEqual(dateFrom('11/23/2026'), { kind: 'impossible' }, 'a US date has no 23rd month');
      assert.deepEqual(dateFrom('last Tuesday'), { kind: 'unreadable' });
      assert.deepEqual(dateFrom('23 Smarch 2026'), { kind: 'unreadable' });
    });

    it('says which row has an impossible, missing, unreadable or future date', () => {
      const errors = errorsOf(
        [
          'Date,What happened,Behaviour',
          '31/02/2026,Texts all night,messages',
          ',Texts all night,messages',
          'last Tuesday,Texts all night,messages',
          '24/11/2026,Texts all night,messages',
        ].join('\n'),
      );
      assert.deepEqual(errors, [
        'Row 2: the date 31/02/2026 does not exist',
        'Row 3: the date is missing',
        'Row 4: ‘last Tuesday’ is not a date that can be read; write it like 23/11/2026',
        'Row 5: the date 24/11/2026 is in the future',
      ]);
    });

    it('refuses a time later today that has not happened yet, but takes today with no time', () => {
      const reading = read(
        ['Date,Time,What happened', '23/11/2026,22:30,He called', '23/11/2026,,He called'].join('\n'),
      );
      assert.deepEqual(reading.rows[0]!.errors, ['Row 2: the time 22:30 on 23/11/2026 has not happened yet']);
      assert.deepEqual(reading.rows[1]!.errors, []);
    });
  });

  describe('times in UK time', () => {
    it('reads the 24-hour and 12-hour clocks', () => {
      assert.deepEqual(timeFrom('19:30'), { hour: 19, minute: 30 });
      assert.deepEqual(timeFrom('19.30'), { hour: 19, minute: 30 });
      assert.deepEqual(timeFrom('7:30pm'), { hour: 19, minute: 30 });
      assert.deepEqual(timeFrom('7.30 PM'), { hour: 19, minute: 30 });
      assert.deepEqual(timeFrom('7pm'), { hour: 19, minute: 0 });
      assert.deepEqual(timeFrom('12am'), { hour: 0, minute: 0 });
      assert.deepEqual(timeFrom('12:15pm'), { hour: 12, minute: 15 });
      assert.deepEqual(timeFrom('about 9am'), { hour: 9, minute: 0 });
      assert.equal(timeFrom('7'), null, 'a bare hour could be morning or evening');
      assert.equal(timeFrom('25:00'), null);
      assert.equal(timeFrom('evening'), null);
    });

    it('turns winter (GMT) and summer (BST) times into the right instants', () => {
      const [winter, summer, afterChange] = read(
        [
          'Date,Time,What happened,Behaviour',
          '15/01/2026,19:30,Sent a letter,letter',
          '15/07/2026,19:30,Sent a letter,letter',
          '29/03/2026,03:00,Sent a letter,letter',
        ].join('\n'),
      ).rows;
      assert.equal(winter!.entry!.occurredFrom, '2026-01-15T19:30:00.000Z');
      assert.equal(summer!.entry!.occurredFrom, '2026-07-15T18:30:00.000Z');
      assert.equal(
        afterChange!.entry!.occurredFrom,
        '2026-03-29T02:00:00.000Z',
        'clocks went forward at 1am',
      );
      assert.equal(summer!.entry!.occurredTo, null, 'a time given is exact');
    });

    it('takes a missing time as the whole UK day, which is 23 hours on the day the clocks go forward', () => {
      const [summer, clocksForward] = read(
        [
          'Date,What happened,Behaviour',
          '15/07/2026,Flowers left,gifts',
          '29/03/2026,Flowers left,gifts',
        ].join('\n'),
      ).rows;
      assert.equal(summer!.entry!.occurredFrom, '2026-07-14T23:00:00.000Z');
      assert.equal(summer!.entry!.occurredTo, '2026-07-15T23:00:00.000Z');
      assert.equal(clocksForward!.entry!.occurredFrom, '2026-03-29T00:00:00.000Z');
      assert.equal(clocksForward!.entry!.occurredTo, '2026-03-29T23:00:00.000Z');
      assert.equal(importedWhen(summer!.entry!), '15 July 2026 (time not known)');
    });

    it('reads a range of times, and a date and time in one cell', () => {
      const [range, together] = read(
        [
          'Date,Time,What happened,Behaviour',
          '15/07/2026,19:00-20:30,Parked outside,loitering',
          '2026-01-15 19:30:00,,Parked outside,loitering',
        ].join('\n'),
      ).rows;
      assert.equal(range!.entry!.occurredFrom, '2026-07-15T18:00:00.000Z');
      assert.equal(range!.entry!.occurredTo, '2026-07-15T19:30:00.000Z');
      assert.equal(importedWhen(range!.entry!), '15 July 2026, 7:00pm to 8:30pm');
      assert.equal(together!.entry!.occurredFrom, '2026-01-15T19:30:00.000Z');
    });
  });

  describe('columns and rows', () => {
    it('matches headings forgivingly, in any order, and lists the columns it will not import', () => {
      const reading = read(
        [
          'What Happened?,DATE,Type of behaviour,Where,Police ref,Reported to police?,Mood',
          'He was outside my work,12/10/2026,loitering,Station Road,CR/0000/26,no,scared',
        ].join('\n'),
      );
      assert.deepEqual(reading.ignoredColumns, ['Mood']);
      const entry = reading.rows[0]!.entry!;
      assert.equal(entry.description, 'He was outside my work');
      assert.equal(entry.location, 'Station Road');
      assert.equal(entry.crimeReference, 'CR/0000/26');
      assert.equal(entry.reportedToPolice, true, 'a police reference means it was reported');
      assert.deepEqual(entry.behaviours, ['loitering']);
    });

    it('refuses a file without a date or a what-happened column, saying which', () => {
      assert.deepEqual(readDiaryCsv('When it was,Notes\n1/1/2026,Texts', NOW), {
        kind: 'refused',
        message: 'The first row must name the columns: there is no ‘Date’ column',
      });
      assert.deepEqual(readDiaryCsv('Date,Colour\n1/1/2026,red', NOW), {
        kind: 'refused',
        message: 'The first row must name the columns: there is no ‘What happened’ column',
      });
      assert.deepEqual(readDiaryCsv('', NOW), { kind: 'refused', message: 'The file is empty' });
    });

    it('says when what happened is missing, numbering rows as the spreadsheet does and skipping empty ones', () => {
      const reading = read(
        ['Date,What happened,Behaviour', '1/1/2026,Calls,calls', ',,', '2/1/2026,,calls'].join('\r\n'),
      );
      assert.deepEqual(
        reading.rows.map((row) => row.row),
        [2, 4],
      );
      assert.deepEqual(reading.rows[1]!.errors, ['Row 4: what happened is missing']);
    });

    it('keeps commas and new lines inside quoted fields, and strips the byte order mark Excel adds', () => {
      const reading = read(
        '\uFEFFDate,What happened,Behaviour\r\n1/1/2026,"He texted, then called.\nThen he ""apologised"".","texts, calls"\r\n',
      );
      assert.deepEqual(reading.columns, ['date', 'description', 'behaviours']);
      const entry = reading.rows[0]!.entry!;
      assert.equal(entry.description, 'He texted, then called.\nThen he "apologised".');
      assert.deepEqual(entry.behaviours, ['messages', 'calls']);
    });

    it('reads semicolon-separated files from European Excel, and Windows-1252 text', () => {
      const reading = read('Date;What happened;Behaviour\n1/1/2026;Left flowers, £20 worth;gifts\n');
      assert.equal(reading.rows[0]!.entry!.description, 'Left flowers, £20 worth');
      const windows = Buffer.from('Date,What happened\n1/1/2026,Flowers \xa3 20\n', 'latin1');
      assert.match(decodeCsvBytes(windows) ?? '', /Flowers £ 20/);
      assert.equal(decodeCsvBytes(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00])), null, 'an .xlsx is not text');
    });

    it('refuses a quotation mark that is never closed, and more rows than one import takes', () => {
      assert.deepEqual(readDiaryCsv('Date,What happened\n1/1/2026,"He called\n', NOW), {
        kind: 'refused',
        message: 'A quotation mark on line 2 is never closed, so the file cannot be read',
      });
      const many = ['Date,What happened', ...Array.from({ length: 5001 }, () => '1/1/2026,Calls')].join('\n');
      assert.deepEqual(readDiaryCsv(many, NOW), {
        kind: 'refused',
        message: 'The file has 5,001 rows; import at most 5,000 at a time by splitting it into smaller files',
      });
    });
  });

  describe('behaviours', () => {
    it('maps common words to kinds of behaviour', () => {
      assert.deepEqual(behavioursIn('text'), ['messages']);
      assert.deepEqual(behavioursIn('Message'), ['messages']);
      assert.deepEqual(behavioursIn('phone call'), ['calls']);
      assert.deepEqual(behavioursIn('followed'), ['following']);
      assert.deepEqual(behavioursIn('Turning up at their home'), ['turning_up_home']);
      assert.deepEqual(behavioursIn('social_media'), ['social_media']);
      assert.deepEqual(behavioursIn('He was outside my office at 5'), ['turning_up_work_school']);
      assert.deepEqual(
        behavioursIn('He texted while I was at work'),
        ['messages'],
        'being at work is not him turning up',
      );
    });

    it('finds the behaviour in what happened when there is no behaviour column, and says so', () => {
      const [found, notFound] = read(
        ['Date,What happened', '1/1/2026,He followed me to the bus stop', '2/1/2026,Saw his car'].join('\n'),
      ).rows;
      assert.deepEqual(found!.entry!.behaviours, ['following']);
      assert.equal(found!.entry!.behavioursFromDescription, true);
      assert.deepEqual(notFound!.errors, [
        'Row 3: say what kind of behaviour this was in a ‘Behaviour’ column, for example messages, calls or following',
      ]);
    });

    it('names a behaviour word it does not recognise, and a reported-to-police answer that is not yes or no', () => {
      assert.deepEqual(errorsOf('Date,What happened,Behaviour,Reported\n1/1/2026,Odd,"texts, vibes",maybe'), [
        'Row 2: ‘vibes’ is not a kind of behaviour that can be recognised; use words like messages, calls or following',
        'Row 2: reported to police should be yes or no, not ‘maybe’',
      ]);
    });
  });

  it('makes the facts of a diary entry from a row', () => {
    const [row] = read(
      'Date,Time,What happened,Behaviour,Witnesses,Reported to police\n15/07/2026,7:30pm,Outside the house,loitering,A neighbour,yes',
    ).rows;
    const facts = entryFacts(row!.entry!);
    assert.deepEqual(facts.occurredFrom, new Date('2026-07-15T18:30:00Z'));
    assert.equal(facts.reportedToPolice, true);
    assert.equal(facts.details.witnesses, 'A neighbour');
    assert.deepEqual(facts.behaviours, ['loitering']);
  });

  it('shows rows with problems as not imported with their messages, escaped', () => {
    const reading = read('Date,What happened\n31/02/2026,<b>calls</b>');
    const [cells] = previewTableRows(reading.rows);
    assert.equal(cells![0]!.text, '2');
    assert.match(cells![3]!.html!, /Will not be imported/);
    assert.match(cells![3]!.html!, /Row 2: the date 31\/02\/2026 does not exist/);
    assert.equal(cells![2]!.text, '<b>calls</b>', 'given as text, so the template escapes it');
  });

  it('gives each row of an import its own submission id, the same every time', () => {
    const importId = '0b3f6c1e-8d0a-4a55-9d3c-2f1e0b7a9c11';
    assert.equal(rowSubmissionId(importId, 2), rowSubmissionId(importId, 2));
    assert.notEqual(rowSubmissionId(importId, 2), rowSubmissionId(importId, 3));
    assert.match(
      rowSubmissionId(importId, 2),
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('offers a template with the headings only', () => {
    assert.equal(
      templateCsv(),
      '\uFEFFDate,Time,Location,What happened,Behaviour,Reported to police,Police reference,Police officer,Witnesses,How it affected you\r\n',
    );
    const reading = readDiaryCsv(templateCsv(), NOW);
    assert.deepEqual(reading, { kind: 'refused', message: 'The file has headings but no rows' });
  });
});
