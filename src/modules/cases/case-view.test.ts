import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allocationChoices,
  allocationHistoryRows,
  caseDetailRows,
  caseloadRows,
  clientIdentityRows,
  contactRows,
  describeLoad,
  isoDateFrom,
  ownerChoices,
  safeContactRows,
  timeFrom,
  ukInstant,
} from './case-view.ts';
import type { CaseRecord } from './cases.service.ts';
import type { Client } from './clients.repository.ts';

/** A client who said everything is safe; traits override what a test cares about. */
function client(overrides: Partial<Client> = {}): Client {
  return {
    clientId: 'c1',
    name: 'Jordan Example',
    dateOfBirth: '1990-04-12',
    ageAtReferral: null,
    ageRecordedOn: null,
    gender: 'woman',
    genderDescription: null,
    phone: '07700 900123',
    phoneSafe: true,
    email: 'jordan@example.org',
    emailSafe: true,
    safeTimes: 'Weekdays after 6pm',
    voicemailAllowed: true,
    maySayWhoWeAre: true,
    codeWord: 'bluebell',
    language: 'English',
    interpreterNeeded: false,
    accessibilityNeeds: null,
    ...overrides,
  };
}

const valueOf = (rows: { key: string; value: string }[], key: string) =>
  rows.find((row) => row.key === key)?.value;
const cautions = (rows: { key: string; caution: boolean }[]) =>
  rows.filter((row) => row.caution).map((row) => row.key);

describe('case view', () => {
  describe('safeContactRows', () => {
    it('says what is safe when the client said so, with nothing to heed', () => {
      const rows = safeContactRows(client());
      assert.equal(valueOf(rows, 'Phone'), '07700 900123 – safe to call');
      assert.equal(valueOf(rows, 'Email'), 'jordan@example.org – safe to email');
      assert.equal(valueOf(rows, 'Voicemail'), 'May leave a voicemail');
      assert.equal(valueOf(rows, 'Saying who we are'), 'May say who is calling and where from');
      assert.equal(valueOf(rows, 'Safe times to contact'), 'Weekdays after 6pm');
      assert.equal(valueOf(rows, 'Code word'), 'bluebell');
      assert.equal(valueOf(rows, 'Language'), 'English');
      assert.equal(valueOf(rows, 'Accessibility needs'), 'None given');
      assert.deepEqual(cautions(rows), []);
    });

    it('marks every channel and action the client said is not safe', () => {
      const rows = safeContactRows(
        client({ phoneSafe: false, emailSafe: false, voicemailAllowed: false, maySayWhoWeAre: false }),
      );
      assert.equal(valueOf(rows, 'Phone'), '07700 900123 – NOT safe to call');
      assert.equal(valueOf(rows, 'Email'), 'jordan@example.org – NOT safe to email');
      assert.equal(valueOf(rows, 'Voicemail'), 'Do not leave a voicemail');
      assert.equal(valueOf(rows, 'Saying who we are'), 'Do not say who is calling or where from');
      assert.deepEqual(cautions(rows), [
        'Safe way to contact',
        'Phone',
        'Email',
        'Voicemail',
        'Saying who we are',
      ]);
    });

    it('treats what the client was never asked as not safe until checked', () => {
      const rows = safeContactRows(
        client({ phoneSafe: null, emailSafe: null, voicemailAllowed: null, maySayWhoWeAre: null }),
      );
      assert.equal(valueOf(rows, 'Phone'), '07700 900123 – not known if safe to call: check before using it');
      assert.equal(
        valueOf(rows, 'Email'),
        'jordan@example.org – not known if safe to email: check before using it',
      );
      assert.equal(valueOf(rows, 'Voicemail'), 'Not known: do not leave a voicemail');
      assert.equal(valueOf(rows, 'Saying who we are'), 'Not known: do not say who is calling or where from');
      assert.deepEqual(cautions(rows), [
        'Safe way to contact',
        'Phone',
        'Email',
        'Voicemail',
        'Saying who we are',
      ]);
    });

    it('says first, and in bold, when there is no safe way to contact the client at all', () => {
      for (const unsafe of [
        client({ phoneSafe: false, emailSafe: false }),
        client({ phone: null, emailSafe: false }),
        client({ phoneSafe: false, email: null }),
        client({ phone: null, email: null }),
      ]) {
        const rows = safeContactRows(unsafe);
        assert.equal(rows[0]?.key, 'Safe way to contact');
        assert.match(rows[0].value, /^NONE: .*Do not call, text or email the client/);
        assert.equal(rows[0].caution, true);
      }
    });

    it('does not say so while one channel is safe', () => {
      for (const safeEnough of [
        client({ phoneSafe: false }),
        client({ emailSafe: false }),
        client({ email: null }),
        client({ phone: null, emailSafe: true }),
      ])
        assert.equal(valueOf(safeContactRows(safeEnough), 'Safe way to contact'), undefined);
    });

    it('says plainly what was not given', () => {
      const rows = safeContactRows(
        client({ phone: null, email: null, safeTimes: null, codeWord: null, language: null }),
      );
      assert.equal(valueOf(rows, 'Phone'), 'No phone number given');
      assert.equal(valueOf(rows, 'Email'), 'No email address given');
      assert.equal(valueOf(rows, 'Safe times to contact'), 'Not given');
      assert.equal(valueOf(rows, 'Code word'), 'None agreed');
      assert.equal(valueOf(rows, 'Language'), 'Not given');
    });

    it('calls out an interpreter and accessibility needs', () => {
      const rows = safeContactRows(
        client({ language: 'Polish', interpreterNeeded: true, accessibilityNeeds: 'Deaf: use text relay' }),
      );
      assert.equal(valueOf(rows, 'Language'), 'Polish – interpreter needed');
      assert.equal(valueOf(rows, 'Accessibility needs'), 'Deaf: use text relay');
      assert.deepEqual(cautions(rows), ['Language']);
    });
  });

  describe('clientIdentityRows', () => {
    it('shows the name, date of birth and gender in words', () => {
      assert.deepEqual(
        clientIdentityRows(client()).map((row) => [row.key, row.value]),
        [
          ['Name', 'Jordan Example'],
          ['Date of birth', '12 April 1990'],
          ['Gender', 'Woman'],
        ],
      );
    });

    it('falls back to the age given at referral, and to the client’s own description of their gender', () => {
      const rows = clientIdentityRows(
        client({
          dateOfBirth: null,
          ageAtReferral: 17,
          gender: 'self_described',
          genderDescription: 'Agender',
        }),
      );
      assert.equal(valueOf(rows, 'Age at referral'), '17');
      assert.equal(valueOf(rows, 'Date of birth'), undefined);
      assert.equal(valueOf(rows, 'Gender'), 'Agender');
    });

    it('gives an age a caseworker recorded with the day it was recorded', () => {
      const rows = clientIdentityRows(
        client({ dateOfBirth: null, ageAtReferral: 34, ageRecordedOn: '2027-05-05' }),
      );
      assert.equal(valueOf(rows, 'Age'), '34 on 5 May 2027');
      assert.equal(valueOf(rows, 'Age at referral'), undefined);
    });

    it('says when neither date of birth nor age nor gender was given', () => {
      const rows = clientIdentityRows(client({ dateOfBirth: null, ageAtReferral: null, gender: null }));
      assert.equal(valueOf(rows, 'Date of birth'), 'Not given');
      assert.equal(valueOf(rows, 'Gender'), 'Not given');
    });
  });

  const record = (overrides: Partial<CaseRecord> = {}): CaseRecord => ({
    caseId: 'case-1',
    reference: 'ABCD-2345',
    status: 'open',
    urgent: false,
    openedAt: new Date('2026-11-23T16:05:00Z'),
    client: client(),
    allocatedTo: null,
    allocations: [],
    referral: null,
    access: { kind: 'allocated' },
    ...overrides,
  });

  describe('caseDetailRows', () => {
    it('says a new case is waiting for allocation and held by no one', () => {
      const rows = caseDetailRows(record());
      assert.equal(valueOf(rows, 'Status'), 'Waiting for allocation');
      assert.equal(valueOf(rows, 'Held by'), 'Not allocated yet');
      assert.equal(valueOf(rows, 'Urgent'), 'No');
      assert.equal(valueOf(rows, 'Opened'), '23 November 2026');
    });

    it('names the holder and calls out an urgent case', () => {
      const rows = caseDetailRows(
        record({ status: 'active', urgent: true, allocatedTo: { userId: 'u1', name: 'Sam Worker' } }),
      );
      assert.equal(valueOf(rows, 'Status'), 'Active');
      assert.equal(valueOf(rows, 'Held by'), 'Sam Worker');
      assert.deepEqual(cautions(rows), ['Urgent']);
    });
  });

  describe('allocationHistoryRows', () => {
    it('shows each holder from and to, with the current one to "Now"', () => {
      const rows = allocationHistoryRows([
        {
          name: 'Robin Worker',
          allocatedByName: 'Morgan Manager',
          allocatedAt: new Date('2026-11-24T09:30:00Z'),
          endedAt: null,
        },
        {
          name: 'Casey Worker',
          allocatedByName: 'Morgan Manager',
          allocatedAt: new Date('2026-11-23T16:05:00Z'),
          endedAt: new Date('2026-11-24T09:30:00Z'),
        },
      ]);
      assert.deepEqual(rows, [
        {
          name: 'Robin Worker',
          allocatedBy: 'Morgan Manager',
          from: '24 November 2026, 9:30am',
          to: 'Now',
        },
        {
          name: 'Casey Worker',
          allocatedBy: 'Morgan Manager',
          from: '23 November 2026, 4:05pm',
          to: '24 November 2026, 9:30am',
        },
      ]);
    });
  });

  describe('describeLoad and allocationChoices', () => {
    it('says how many open, urgent and high-risk cases each person holds', () => {
      const load = (openCases: number, urgentCases: number, highRiskCases = 0) => ({
        userId: 'u',
        name: 'Sam',
        openCases,
        urgentCases,
        highRiskCases,
      });
      assert.equal(describeLoad(load(0, 0)), 'No open cases');
      assert.equal(describeLoad(load(1, 0)), '1 open case');
      assert.equal(describeLoad(load(4, 1)), '4 open cases, 1 urgent');
      assert.equal(describeLoad(load(4, 0, 2)), '4 open cases, 2 high risk');
      assert.equal(describeLoad(load(4, 1, 2)), '4 open cases, 1 urgent, 2 high risk');
    });

    it('offers each person with their load, marking who holds the case and what was chosen', () => {
      const items = allocationChoices(
        [
          { userId: 'u1', name: 'Casey Worker', openCases: 3, urgentCases: 0, highRiskCases: 0 },
          { userId: 'u2', name: 'Robin Worker', openCases: 1, urgentCases: 1, highRiskCases: 0 },
        ],
        'u1',
        'u2',
      );
      assert.deepEqual(items, [
        {
          value: 'u1',
          text: 'Casey Worker',
          hint: { text: '3 open cases. Holds this case now.' },
          checked: false,
        },
        { value: 'u2', text: 'Robin Worker', hint: { text: '1 open case, 1 urgent' }, checked: true },
      ]);
    });
  });

  describe('caseloadRows', () => {
    it('links each case and says who holds it, its risk, when the client was last contacted, and if it is new', () => {
      const rows = caseloadRows(
        [
          {
            caseId: 'c9',
            reference: 'WXYZ-6789',
            clientName: 'Jordan Example',
            status: 'open',
            urgent: true,
            riskLevel: null,
            openedAt: new Date('2026-06-01T23:30:00Z'),
            allocatedToName: null,
            lastContactAt: null,
            allocatedAt: null,
            newlyAllocated: false,
          },
          {
            caseId: 'c8',
            reference: 'ABCD-2345',
            clientName: 'Sam Sample',
            status: 'active',
            urgent: false,
            riskLevel: 'high',
            openedAt: new Date('2026-05-01T09:00:00Z'),
            allocatedToName: 'Casey Worker',
            lastContactAt: new Date('2026-06-03T10:00:00Z'),
            allocatedAt: new Date('2026-05-02T09:00:00Z'),
            newlyAllocated: true,
          },
        ],
        (caseId) => `/cases/${caseId}`,
      );
      assert.deepEqual(rows, [
        {
          href: '/cases/c9',
          reference: 'WXYZ-6789',
          clientName: 'Jordan Example',
          status: 'Waiting for allocation',
          urgent: true,
          risk: null,
          opened: '2 June 2026',
          heldBy: 'Not allocated',
          lastContact: 'No contact yet',
          isNew: false,
          allocated: 'Not allocated',
        },
        {
          href: '/cases/c8',
          reference: 'ABCD-2345',
          clientName: 'Sam Sample',
          status: 'Active',
          urgent: false,
          risk: { text: 'High risk', classes: 'govuk-tag govuk-tag--red', level: 'high' },
          opened: '1 May 2026',
          heldBy: 'Casey Worker',
          lastContact: '3 June 2026',
          isNew: true,
          allocated: '2 May 2026',
        },
      ]);
    });
  });
});

describe('casework views', () => {
  it('reads only real dates and times', () => {
    assert.equal(isoDateFrom('3', '4', '2026'), '2026-04-03');
    assert.equal(isoDateFrom('31', '2', '2026'), null);
    assert.equal(isoDateFrom('', '4', '2026'), null);
    assert.deepEqual(timeFrom('9:05'), { hour: 9, minute: 5 });
    assert.deepEqual(timeFrom('14.30'), { hour: 14, minute: 30 });
    assert.equal(timeFrom('24:00'), null);
    assert.equal(timeFrom('2pm'), null);
  });

  it('takes times as UK time, in and out of summer time', () => {
    assert.equal(ukInstant('2026-01-15', { hour: 14, minute: 30 }).toISOString(), '2026-01-15T14:30:00.000Z');
    assert.equal(ukInstant('2026-07-15', { hour: 14, minute: 30 }).toISOString(), '2026-07-15T13:30:00.000Z');
  });

  it('flags contacts that broke the safe-contact rules, with the reason', () => {
    const base = {
      contactId: 'k1',
      occurredAt: new Date('2026-07-15T13:30:00Z'),
      durationMinutes: 1,
      method: 'text_message' as const,
      direction: 'incoming' as const,
      outcome: 'message_sent' as const,
      summary: 'Asked for a call back',
      safeContactFollowed: true,
      safeContactNote: null,
      recordedBy: 'Casey Worker',
      recordedAt: new Date('2026-07-15T14:00:00Z'),
    };
    const [kept, broken] = contactRows([
      base,
      { ...base, durationMinutes: null, safeContactFollowed: false, safeContactNote: 'Emergency' },
    ]);
    assert.equal(kept!.when, '15 July 2026, 2:30pm');
    assert.equal(kept!.method, 'Text message');
    assert.equal(kept!.duration, '1 minute');
    assert.equal(kept!.safeContactBroken, false);
    assert.equal(broken!.duration, 'Not recorded');
    assert.equal(broken!.safeContactBroken, true);
    assert.equal(broken!.safeContactNote, 'Emergency');
  });

  it('offers tasks to the case holder unless someone else was chosen', () => {
    const loads = [
      { userId: 'a', name: 'Alex', openCases: 0, urgentCases: 0, highRiskCases: 0 },
      { userId: 'b', name: 'Blair', openCases: 0, urgentCases: 0, highRiskCases: 0 },
    ];
    assert.deepEqual(
      ownerChoices(loads, 'b').map((item) => item.selected),
      [false, true],
    );
    assert.deepEqual(
      ownerChoices(loads, 'b', 'a').map((item) => item.selected),
      [true, false],
    );
  });
});
