import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY } from '../../platform/clock.ts';
import {
  addMonths,
  DEFAULT_MARAC_SETTINGS,
  maracCriteria,
  repeatOf,
  type ChecklistFacts,
  type CriteriaFacts,
  type MaracCriterion,
} from './criteria.ts';

const NOW = new Date('2026-11-24T12:00:00Z');

/** A case history: no checklist, no incidents, no referrals, unless a trait adds them. */
function history(traits: Partial<CriteriaFacts> = {}): CriteriaFacts {
  return {
    checklist: null,
    incidents: [],
    referrals: [],
    now: NOW,
    settings: DEFAULT_MARAC_SETTINGS,
    ...traits,
  };
}

const checklist = (score: number, overrides: Partial<ChecklistFacts> = {}): ChecklistFacts => ({
  completedAt: new Date('2026-03-03T11:00:00Z'),
  score,
  scoredQuestions: 24,
  highThreshold: 14,
  level: score >= 14 ? 'high' : score >= 10 ? 'medium' : 'standard',
  judgement: null,
  ...overrides,
});

const daysBefore = (days: number, from = NOW) => new Date(from.getTime() - days * DAY);

const result = (facts: CriteriaFacts, criterion: MaracCriterion) => {
  const found = maracCriteria(facts).results.find((item) => item.criterion === criterion);
  assert.ok(found);
  return found;
};

/** A small, seeded generator, so a failing history can be found again. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return { next, int: (max: number) => Math.floor(next() * max) };
}

describe('MARAC criteria', () => {
  describe('with no assessment at all', () => {
    it('meets none of them and says no checklist has been completed', () => {
      const outcome = maracCriteria(history());
      assert.equal(outcome.anyMet, false);
      assert.deepEqual(outcome.met, []);
      assert.equal(
        result(history(), 'visible_high_risk').why,
        'No risk checklist has been completed on this case.',
      );
      assert.equal(result(history(), 'repeat').why, 'This case has not been referred to MARAC before.');
    });
  });

  describe('visible high risk', () => {
    it('is met at 14 yes answers, with the count and the checklist’s date', () => {
      const met = result(history({ checklist: checklist(14) }), 'visible_high_risk');
      assert.equal(met.met, true);
      assert.equal(met.why, '14 of 24 answers were yes on the checklist of 3 March 2026.');
    });

    it('is not met at 13, and says how many are needed', () => {
      const unmet = result(history({ checklist: checklist(13) }), 'visible_high_risk');
      assert.equal(unmet.met, false);
      assert.match(unmet.why, /^13 of 24 answers were yes .* 14 or more is visible high risk\.$/);
    });
  });

  describe('professional judgement', () => {
    it('is met below any threshold when the caseworker writes out the concern', () => {
      const facts = history({
        checklist: checklist(3),
        concern: '  He has bought a tracker and knows her new address.  ',
      });
      const met = result(facts, 'professional_judgement');
      assert.equal(met.met, true);
      assert.equal(met.why, 'The caseworker’s concern: He has bought a tracker and knows her new address.');
      assert.deepEqual(maracCriteria(facts).met, ['professional_judgement']);
    });

    it('is met with no checklist at all when the concern is written', () => {
      assert.equal(
        result(history({ concern: 'Threats to kill last week' }), 'professional_judgement').met,
        true,
      );
    });

    it('is not met by a concern of only spaces', () => {
      assert.equal(result(history({ concern: '   ' }), 'professional_judgement').met, false);
    });

    it('is met when judgement on the checklist raised it to high, quoting the reason', () => {
      const raised = checklist(8, {
        level: 'high',
        judgement: { level: 'high', reason: 'Recent strangulation' },
      });
      const met = result(history({ checklist: raised }), 'professional_judgement');
      assert.equal(met.met, true);
      assert.match(met.why, /raised the checklist of 3 March 2026 to high risk: Recent strangulation/);
      assert.equal(result(history({ checklist: raised }), 'visible_high_risk').met, false);
    });

    it('is not met by a judgement that raised it only to medium', () => {
      const medium = checklist(4, { level: 'medium', judgement: { level: 'medium', reason: 'Worried' } });
      assert.equal(result(history({ checklist: medium }), 'professional_judgement').met, false);
    });
  });

  describe('potential escalation', () => {
    it('is met at exactly 3 incidents in 12 months, and says how many up to when', () => {
      const met = result(
        history({ incidents: [daysBefore(1), daysBefore(40), daysBefore(300)] }),
        'escalation',
      );
      assert.equal(met.met, true);
      assert.equal(met.why, '3 incidents in the 12 months to 24 November 2026.');
    });

    it('is not met at 2', () => {
      const unmet = result(history({ incidents: [daysBefore(1), daysBefore(40)] }), 'escalation');
      assert.equal(unmet.met, false);
      assert.equal(
        unmet.why,
        '2 incidents in the 12 months to 24 November 2026; 3 or more is potential escalation.',
      );
    });

    it('counts an incident exactly 12 months ago and not one a moment earlier', () => {
      const edge = addMonths(NOW, -12);
      assert.equal(edge.toISOString(), '2025-11-24T12:00:00.000Z');
      const two = [daysBefore(1), daysBefore(2)];
      assert.equal(result(history({ incidents: [...two, edge] }), 'escalation').met, true);
      assert.equal(
        result(history({ incidents: [...two, new Date(edge.getTime() - 1)] }), 'escalation').met,
        false,
      );
    });

    it('does not count incidents dated after now', () => {
      const future = new Date(NOW.getTime() + DAY);
      assert.equal(
        result(history({ incidents: [daysBefore(1), daysBefore(2), future] }), 'escalation').met,
        false,
      );
    });

    it('follows the configured number and months', () => {
      const settings = { escalationIncidents: 5, escalationMonths: 6 };
      const four = [1, 20, 50, 100].map((days) => daysBefore(days));
      assert.equal(result(history({ incidents: four, settings }), 'escalation').met, false);
      const fiveButOneOld = [...four, daysBefore(200)];
      assert.equal(result(history({ incidents: fiveButOneOld, settings }), 'escalation').met, false);
      const five = [...four, daysBefore(150)];
      const met = result(history({ incidents: five, settings }), 'escalation');
      assert.equal(met.met, true);
      assert.equal(met.why, '5 incidents in the 6 months to 24 November 2026.');
    });
  });

  describe('repeat', () => {
    const referred = new Date('2026-01-10T09:00:00Z');

    it('is met by an incident within 12 months after a previous referral, naming both dates', () => {
      const met = result(
        history({ referrals: [referred], incidents: [new Date('2026-10-05T19:30:00Z')] }),
        'repeat',
      );
      assert.equal(met.met, true);
      assert.equal(
        met.why,
        'An incident on 5 October 2026 is within 12 months of the MARAC referral of 10 January 2026.',
      );
    });

    it('is met the day before the 12 months end and not the day after', () => {
      const now = new Date('2027-03-01T12:00:00Z');
      const justInside = new Date(addMonths(referred, 12).getTime() - DAY);
      const justOutside = new Date(addMonths(referred, 12).getTime() + DAY);
      assert.equal(
        result(history({ now, referrals: [referred], incidents: [justInside] }), 'repeat').met,
        true,
      );
      const outside = result(history({ now, referrals: [referred], incidents: [justOutside] }), 'repeat');
      assert.equal(outside.met, false);
      assert.match(outside.why, /the latest was on 10 January 2026/);
    });

    it('is not met by incidents before the referral', () => {
      assert.equal(
        result(history({ referrals: [referred], incidents: [new Date('2026-01-09T09:00:00Z')] }), 'repeat')
          .met,
        false,
      );
    });

    it('finds the previous referral a new referral repeats', () => {
      assert.equal(
        repeatOf([referred], new Date('2026-06-01T00:00:00Z'))?.toISOString(),
        referred.toISOString(),
      );
      assert.equal(repeatOf([referred], new Date('2027-01-11T00:00:00Z')), null);
      assert.equal(repeatOf([referred], referred), null);
    });
  });

  it('on 500 generated histories, agrees with counting by hand', () => {
    const random = generator(20261124);
    for (let run = 0; run < 500; run += 1) {
      const incidents = Array.from({ length: random.int(8) }, () => daysBefore(random.int(800) - 20));
      const referrals = Array.from({ length: random.int(3) }, () => daysBefore(random.int(900)));
      const score = random.int(25);
      const concern = random.next() < 0.2 ? 'A concern written out' : null;
      const facts = history({
        checklist: random.next() < 0.2 ? null : checklist(score),
        incidents,
        referrals,
        concern,
      });
      const outcome = maracCriteria(facts);
      const yearAgo = addMonths(NOW, -12);
      const recent = incidents.filter((at) => at >= yearAgo && at <= NOW).length;
      const repeatByHand = incidents.some(
        (at) => at <= NOW && referrals.some((referral) => referral < at && addMonths(referral, 12) >= at),
      );
      const expected = new Set<MaracCriterion>();
      if (facts.checklist && score >= 14) expected.add('visible_high_risk');
      if (concern) expected.add('professional_judgement');
      if (recent >= 3) expected.add('escalation');
      if (repeatByHand) expected.add('repeat');
      assert.deepEqual(new Set(outcome.met), expected, `history ${run}: ${JSON.stringify(facts)}`);
      assert.equal(outcome.anyMet, expected.size > 0);
      for (const item of outcome.results) assert.ok(item.why.length > 10);
    }
  });
});
