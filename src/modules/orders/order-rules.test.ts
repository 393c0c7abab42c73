import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainSummary, type ConditionTerms } from './conditions.ts';
import {
  addYears,
  conditionInForceOn,
  inForceOn,
  nextStatuses,
  orderProblems,
  ORDER_STATUSES,
  remindersFor,
  startingStatuses,
  transitionProblem,
  type OrderState,
  type OrderStatus,
} from './order-rules.ts';

const none = {
  requestedOn: null,
  appliedOn: null,
  interimMadeOn: null,
  madeOn: null,
  servedOn: null,
  expiresOn: null,
  untilFurtherOrder: false,
  endedOn: null,
};
const spo = (status: OrderStatus, dates: Partial<OrderState> = {}): OrderState => ({
  type: 'spo',
  status,
  ...none,
  ...dates,
});

describe('protection order rules', () => {
  describe('the life of an order', () => {
    const table: [OrderStatus, OrderStatus, boolean][] = [
      ['requested', 'applied', true],
      ['requested', 'full_in_force', false],
      ['applied', 'interim_in_force', true],
      ['applied', 'full_in_force', true],
      ['interim_in_force', 'full_in_force', true],
      ['interim_in_force', 'refused', true],
      ['full_in_force', 'varied', true],
      ['full_in_force', 'renewed', true],
      ['full_in_force', 'applied', false],
      ['varied', 'varied', true],
      ['renewed', 'discharged', true],
      ['discharged', 'full_in_force', false],
      ['expired', 'renewed', false],
      ['refused', 'applied', false],
    ];
    for (const [from, to, allowed] of table)
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to} for a Stalking Protection Order`, () => {
        assert.equal(transitionProblem('spo', from, to) === null, allowed);
      });

    it('says why an ended order cannot move on, and why another move is refused', () => {
      assert.equal(
        transitionProblem('spo', 'discharged', 'full_in_force'),
        'This order is discharged: record a new order instead of changing this one',
      );
      assert.equal(
        transitionProblem('spo', 'requested', 'full_in_force'),
        'An order that is “requested from police” cannot become “full order in force”',
      );
    });

    it('offers only the stages a kind of order has', () => {
      assert.deepEqual(startingStatuses('spo'), [
        'requested',
        'applied',
        'interim_in_force',
        'full_in_force',
      ]);
      assert.deepEqual(startingStatuses('bail_conditions'), ['full_in_force']);
      assert.deepEqual(startingStatuses('restraining_order'), ['full_in_force']);
      assert.deepEqual(startingStatuses('non_molestation_order'), [
        'applied',
        'interim_in_force',
        'full_in_force',
      ]);
      assert.ok(!nextStatuses('non_molestation_order', 'applied').includes('requested'));
      for (const status of ORDER_STATUSES)
        assert.ok(!nextStatuses('restraining_order', status).includes('interim_in_force'));
    });
  });

  describe('the full SPO lasts at least 2 years', () => {
    it('refuses a full SPO ending before 2 years, naming the earliest end', () => {
      const short = spo('full_in_force', { madeOn: '2026-12-01', expiresOn: '2028-11-30' });
      assert.deepEqual(orderProblems(short), [
        {
          field: 'expiresOn',
          message:
            'A full Stalking Protection Order lasts at least 2 years, or until further order: it cannot end before 1 December 2028',
        },
      ]);
    });
    it('accepts exactly 2 years, longer, or until further order', () => {
      assert.deepEqual(
        orderProblems(spo('full_in_force', { madeOn: '2026-12-01', expiresOn: '2028-12-01' })),
        [],
      );
      assert.deepEqual(
        orderProblems(spo('full_in_force', { madeOn: '2026-12-01', expiresOn: '2031-06-01' })),
        [],
      );
      assert.deepEqual(
        orderProblems(spo('full_in_force', { madeOn: '2026-12-01', untilFurtherOrder: true })),
        [],
      );
    });
    it('does not apply the minimum to an interim SPO or to other orders', () => {
      assert.deepEqual(
        orderProblems(spo('interim_in_force', { interimMadeOn: '2026-12-01', expiresOn: '2027-01-05' })),
        [],
      );
      assert.deepEqual(
        orderProblems({
          ...spo('full_in_force', { madeOn: '2026-12-01', expiresOn: '2027-06-01' }),
          type: 'restraining_order',
        }),
        [],
      );
    });
    it('counts 2 years from 29 February to 28 February', () => {
      assert.equal(addYears('2028-02-29', 2), '2030-02-28');
    });
  });

  it('needs each stage’s date, and dates in order', () => {
    assert.deepEqual(
      orderProblems(spo('full_in_force')).map((problem) => problem.message),
      ['Enter the date the order was made', 'Enter the date the order ends, or choose until further order'],
    );
    assert.deepEqual(
      orderProblems(spo('applied', { requestedOn: '2026-11-10', appliedOn: '2026-11-01' })).map(
        (p) => p.message,
      ),
      ['The date of the application must be on or after the date the police were asked'],
    );
    assert.deepEqual(
      orderProblems(spo('withdrawn')).map((p) => p.message),
      ['Enter the date the order was withdrawn'],
    );
  });

  describe('what was in force on a day', () => {
    const order = spo('full_in_force', {
      interimMadeOn: '2026-10-01',
      madeOn: '2026-11-01',
      expiresOn: '2028-11-01',
    });
    it('runs from the interim order to the end date, inclusive', () => {
      assert.equal(inForceOn(order, '2026-09-30'), false);
      assert.equal(inForceOn(order, '2026-10-01'), true);
      assert.equal(inForceOn(order, '2028-11-01'), true);
      assert.equal(inForceOn(order, '2028-11-02'), false);
    });
    it('stops the day an order is discharged', () => {
      const discharged = { ...order, status: 'discharged' as const, endedOn: '2027-03-15' };
      assert.equal(inForceOn(discharged, '2027-03-14'), true);
      assert.equal(inForceOn(discharged, '2027-03-15'), false);
      assert.equal(inForceOn(spo('requested', { requestedOn: '2026-10-01' }), '2026-10-02'), false);
    });
    it('binds a condition from when it applies until it ended', () => {
      const added = { fromOn: '2027-01-01', endedOn: '2027-06-01' };
      assert.equal(conditionInForceOn(order, added, '2026-12-31'), false);
      assert.equal(conditionInForceOn(order, added, '2027-01-01'), true);
      assert.equal(conditionInForceOn(order, added, '2027-06-01'), false);
      assert.equal(conditionInForceOn(order, { fromOn: null, endedOn: null }, '2026-10-05'), true);
    });
  });

  describe('reminders', () => {
    it('asks for a renewal review 8 weeks before a full order ends, and a check of the notification duty', () => {
      const reminders = remindersFor(
        spo('full_in_force', { madeOn: '2026-11-01', servedOn: '2026-11-02', expiresOn: '2028-11-01' }),
        1,
      );
      assert.deepEqual(
        reminders.map((reminder) => [reminder.kind, reminder.dueOn]),
        [
          ['full_expiry', '2028-09-06'],
          ['notification_due', '2026-11-05'],
        ],
      );
      assert.match(
        reminders[0]!.title,
        /ends on 1 November 2028: review with the client whether to ask police to renew it/,
      );
    });
    it('reminds a week before an interim order ends, and nothing once an order has ended', () => {
      assert.deepEqual(
        remindersFor(
          spo('interim_in_force', { interimMadeOn: '2026-11-01', expiresOn: '2026-12-20' }),
          2,
        ).map((reminder) => [reminder.kind, reminder.dueOn]),
        [['interim_expiry', '2026-12-13']],
      );
      assert.deepEqual(remindersFor(spo('refused', { endedOn: '2026-12-01' }), 2), []);
      assert.deepEqual(
        remindersFor(spo('full_in_force', { madeOn: '2026-11-01', untilFurtherOrder: true }), 2),
        [],
      );
    });
  });

  it('says what an order forbids in plain English, naming places by what they are to the client', () => {
    const terms = (partial: Partial<ConditionTerms>): ConditionTerms => ({
      wording: 'Not to go within 100 metres of 12 Example Road, Northtown NT1 1AA',
      places: [],
      placeDetails: '12 Example Road, Northtown NT1 1AA',
      distanceMetres: null,
      ...partial,
    });
    const summary = plainSummary([
      { kind: 'no_contact', terms: terms({}) },
      { kind: 'distance', terms: terms({ places: ['home', 'work'], distanceMetres: 100 }) },
      { kind: 'attend_programme', terms: terms({}) },
    ]);
    assert.deepEqual(summary.forbids, [
      'They must not contact you in any way, directly or by asking someone else to do it for them.',
      'They must not come within 100 metres of your home or your work.',
    ]);
    assert.deepEqual(summary.requires, ['They must go to a programme the court ordered.']);
    assert.ok(!JSON.stringify(summary).includes('Example Road'), 'no address');
  });
});
