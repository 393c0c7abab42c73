import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeText, fold, icalendar, londonLocal } from './icalendar.ts';
import { reminderDueOn, reminderTitle } from './reminders.ts';

describe('iCalendar', () => {
  describe('londonLocal', () => {
    it('writes UK wall-clock time, an hour ahead of UTC in summer and level with it in winter', () => {
      assert.equal(londonLocal(new Date('2027-06-15T09:00:00Z')), '20270615T100000');
      assert.equal(londonLocal(new Date('2027-12-14T10:00:00Z')), '20271214T100000');
      // The last Sunday of March 2027: 01:00 UTC is when the clocks go forward to 02:00.
      assert.equal(londonLocal(new Date('2027-03-28T00:59:00Z')), '20270328T005900');
      assert.equal(londonLocal(new Date('2027-03-28T01:00:00Z')), '20270328T020000');
    });
  });

  describe('escapeText', () => {
    it('escapes what would end or split a value', () => {
      assert.equal(escapeText('a,b;c\\d\ne'), 'a\\,b\\;c\\\\d\\ne');
    });
  });

  describe('fold', () => {
    it('keeps lines to 75 octets without splitting a character', () => {
      const line = `SUMMARY:${'–'.repeat(60)}`;
      const folded = fold(line);
      for (const part of folded.split('\r\n')) assert.ok(Buffer.byteLength(part, 'utf8') <= 75);
      assert.equal(folded.replace(/\r\n /g, ''), line);
    });

    it('leaves a short line alone', () => {
      assert.equal(fold('VERSION:2.0'), 'VERSION:2.0');
    });
  });

  describe('icalendar', () => {
    it('names only the case reference and the time, with CRLF line ends', () => {
      const file = icalendar([
        {
          hearingId: '7b1a3c9e-0000-4000-8000-000000000001',
          reference: 'ABCD-1234',
          startsAt: new Date('2027-06-15T09:00:00Z'),
          updatedAt: new Date('2027-05-01T08:00:00Z'),
          cancelled: false,
        },
      ]);
      assert.match(file, /\r\nSUMMARY:Court hearing – case ABCD-1234\r\n/);
      assert.match(file, /\r\nDTSTART;TZID=Europe\/London:20270615T100000\r\n/);
      assert.match(file, /\r\nUID:7b1a3c9e-0000-4000-8000-000000000001@vigil\r\n/);
      assert.match(file, /\r\nDTSTAMP:20270501T080000Z\r\n/);
      assert.doesNotMatch(file, /[^\r]\n/);
    });
  });
});

describe('hearing reminders', () => {
  const settings = { reminderDaysBefore: 7 };
  const now = new Date('2027-06-01T12:00:00Z');

  it('fall due the set number of days before the hearing', () => {
    assert.equal(reminderDueOn(new Date('2027-06-20T09:00:00Z'), now, settings), '2027-06-13');
    assert.equal(
      reminderDueOn(new Date('2027-06-20T09:00:00Z'), now, { reminderDaysBefore: 0 }),
      '2027-06-20',
    );
  });

  it('fall due today when that day has passed, and not at all once the hearing’s day is over', () => {
    assert.equal(reminderDueOn(new Date('2027-06-03T09:00:00Z'), now, settings), '2027-06-01');
    assert.equal(reminderDueOn(new Date('2027-06-01T08:00:00Z'), now, settings), '2027-06-01');
    assert.equal(reminderDueOn(new Date('2027-05-31T09:00:00Z'), now, settings), null);
  });

  it('take the hearing’s UK day, not its UTC one', () => {
    // 23:30 UTC on 19 June is 00:30 on 20 June in British Summer Time.
    assert.equal(reminderDueOn(new Date('2027-06-19T23:30:00Z'), now, settings), '2027-06-13');
    assert.equal(
      reminderTitle(new Date('2027-06-19T23:30:00Z')),
      'Prepare the client for the court hearing on 20 June 2027',
    );
  });
});
