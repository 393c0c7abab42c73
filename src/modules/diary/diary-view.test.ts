import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { incidentFacts } from '../../../test/support/diary.ts';
import { changesBetween, firstLines, timelineCards, versionRows, whenText } from './diary-view.ts';
import { entrySchema } from './diary.schema.ts';
import type { EntryVersion } from './diary.service.ts';

function version(overrides: Partial<EntryVersion> = {}): EntryVersion {
  const facts = incidentFacts();
  return {
    version: 1,
    occurredFrom: facts.occurredFrom,
    occurredTo: null,
    behaviours: facts.behaviours,
    impacts: facts.impacts,
    channel: facts.channel,
    perpetratorId: null,
    perpetratorName: null,
    reportedToPolice: false,
    details: facts.details,
    identifiers: [],
    correctionReason: null,
    recordedBy: 'Casey Worker',
    recordedAt: new Date('2026-10-06T09:00:00Z'),
    ...overrides,
  };
}

describe('the diary’s view models', () => {
  it('says when an incident happened, exactly or between two times, in UK time', () => {
    assert.equal(whenText(new Date('2026-10-05T18:30:00Z'), null), '5 October 2026, 7:30pm');
    assert.equal(
      whenText(new Date('2026-12-01T22:00:00Z'), new Date('2026-12-02T07:00:00Z')),
      'Between 1 December 2026, 10:00pm and 2 December 2026, 7:00am',
    );
  });

  it('keeps the first lines of a long description and marks that there is more', () => {
    assert.equal(firstLines('One\nTwo'), 'One\nTwo');
    assert.equal(firstLines('One\nTwo\nThree\nFour'), 'One\nTwo\nThree…');
    assert.equal(firstLines('x'.repeat(400)).length, 301);
  });

  it('lists only the answers a correction changed, with before and after', () => {
    const before = version();
    const after = version({
      version: 2,
      reportedToPolice: true,
      details: { ...before.details, witnesses: 'Her neighbour', crimeReference: 'NS/123' },
    });
    assert.deepEqual(changesBetween(before, after), [
      { field: 'Witnesses', before: 'Not given', after: 'Her neighbour' },
      { field: 'Reported to the police', before: 'No', after: 'Yes' },
      { field: 'Crime reference', before: 'Not given', after: 'NS/123' },
    ]);
  });

  it('shows versions newest first, the first with nothing changed and each correction with its reason', () => {
    const rows = versionRows([
      version(),
      version({ version: 2, behaviours: ['calls'], correctionReason: 'They were calls, not texts' }),
    ]);
    assert.deepEqual(
      rows.map((row) => [row.heading, row.reason, row.changes.map((change) => change.field)]),
      [
        ['Version 2: corrected', 'They were calls, not texts', ['What happened']],
        ['Version 1: first recorded', null, []],
      ],
    );
  });

  it('shows a redacted entry as who redacted it, when and why, and nothing it said', () => {
    const [card] = timelineCards([
      {
        entryId: 'e',
        entryNumber: 4,
        origin: 'staff',
        recordedBy: 'Casey Worker',
        recordedAt: new Date('2026-10-06T09:00:00Z'),
        versions: 1,
        evidenceFiles: 0,
        redaction: { reason: 'Wrong case', by: 'Morgan Manager', at: new Date('2026-10-07T12:00:00Z') },
      },
    ]);
    assert.deepEqual(card, {
      redacted: true,
      entryId: 'e',
      number: 4,
      text: 'Entry 4 was redacted on 7 October 2026, 1:00pm by Morgan Manager: Wrong case',
    });
  });
});

describe('the incident form’s rules', () => {
  const now = new Date('2026-07-01T12:00:00Z'); // 1:00pm in the UK (British Summer Time)
  const parse = (fields: Record<string, unknown>, perpetratorIds: string[] = []) =>
    entrySchema({ now, perpetratorIds: new Set(perpetratorIds) }).safeParse({
      'occurredOn-day': '1',
      'occurredOn-month': '7',
      'occurredOn-year': '2026',
      occurredTime: '13:00',
      behaviours: 'following',
      description: 'Followed her to the bus stop',
      ...fields,
    });
  const messages = (result: ReturnType<typeof parse>) =>
    result.success ? [] : result.error.issues.map((issue) => issue.message);

  it('reads the time as UK time and allows a few minutes of clock skew, but not a future incident', () => {
    const exact = parse({});
    assert.ok(exact.success);
    assert.equal(exact.data.occurredFrom.toISOString(), '2026-07-01T12:00:00.000Z');
    assert.ok(parse({ occurredTime: '13:04' }).success, 'four minutes fast is allowed');
    assert.deepEqual(messages(parse({ occurredTime: '13:10' })), [
      'The date and time it happened must be now or in the past',
    ]);
  });

  it('needs a behaviour and a description, and a description of at most 10,000 characters', () => {
    assert.deepEqual(messages(parse({ behaviours: undefined, description: ' ' })), [
      'Select at least one thing that happened',
      'Describe what happened',
    ]);
    assert.deepEqual(messages(parse({ behaviours: 'dancing' })), ['Select what happened']);
    assert.deepEqual(messages(parse({ description: 'x'.repeat(10_001) })), [
      'Description must be 10,000 characters or fewer',
    ]);
  });

  it('needs both halves of a map point, each within range', () => {
    assert.deepEqual(messages(parse({ latitude: '51.5' })), ['Enter the longitude as well as the latitude']);
    assert.deepEqual(messages(parse({ latitude: '51.5', longitude: '-181' })), [
      'Longitude must be a number between -180 and 180',
    ]);
    const point = parse({ latitude: '51.5034', longitude: '-0.1276' });
    assert.ok(point.success);
    assert.deepEqual(point.data.details.mapPoint, { latitude: 51.5034, longitude: -0.1276 });
  });

  it('marks the account used as an identifier only when its kind is given, and checks its format', () => {
    const handle = parse({ accountKind: 'handle', accountUsed: '@casey_m', accountPlatform: 'Instagram' });
    assert.ok(handle.success);
    assert.deepEqual(handle.data.identifiers, [{ kind: 'handle', value: '@casey_m', platform: 'Instagram' }]);
    const other = parse({ accountKind: 'other', accountUsed: 'a borrowed phone' });
    assert.ok(other.success);
    assert.deepEqual(other.data.identifiers, []);
    assert.equal(other.data.details.accountUsed, 'a borrowed phone');
    assert.deepEqual(messages(parse({ accountKind: 'phone', accountUsed: '12' })), [
      'Enter a phone number, like 07700 900123 or +44 7700 900123',
    ]);
  });

  it('keeps police details only when it was reported, and takes a perpetrator only from the case', () => {
    const notReported = parse({ reportedToPolice: 'no', crimeReference: 'NS/1' });
    assert.ok(notReported.success);
    assert.equal(notReported.data.details.crimeReference, null);
    const known = '5b0c6f8e-1f7e-4c55-9d6c-6f3a4f1e2a10';
    assert.ok(parse({ perpetratorId: known }, [known]).success);
    assert.deepEqual(messages(parse({ perpetratorId: known })), ['Select who did it from the list']);
  });

  it('refuses a range that ends before it starts', () => {
    assert.deepEqual(
      messages(
        parse({
          whenKind: 'range',
          'occurredUntil-day': '1',
          'occurredUntil-month': '7',
          'occurredUntil-year': '2026',
          occurredUntilTime: '09:00',
        }),
      ),
      ['The latest it could have been must be after the earliest'],
    );
  });
});
