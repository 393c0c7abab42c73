import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DAY } from '../../platform/clock.ts';
import { addWorkingDays, detectSignals, ESCALATION, signalsToRaise, type Signal } from './escalation.ts';
import { INCIDENT_BEHAVIOURS } from './incident-types.ts';
import { aggregateIncidents, patternsSince, type Incident } from './patterns.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const TODAY = '2026-11-23';

/** An incident `daysAgo` days before now (at midday, so the UK date is plain whatever the season). */
const at = (daysAgo: number, ...behaviours: string[]): Incident => ({
  occurredFrom: new Date(NOW.getTime() - daysAgo * DAY),
  behaviours: behaviours.length ? behaviours : ['messages'],
});
const signalsOf = (incidents: Incident[], today = TODAY) =>
  detectSignals(aggregateIncidents(incidents, patternsSince(today)), today);
const rules = (signals: Signal[]) => signals.map((signal) => signal.rule);

describe('escalation rules', () => {
  describe('frequency rising', () => {
    it('says how many recent incidents there were against the average before', () => {
      const diary = [at(111), at(80), at(50), ...[1, 3, 5, 8, 12, 16, 20].map((days) => at(days))];
      const rising = signalsOf(diary).find((signal) => signal.kind === 'frequency_rising');
      assert.equal(
        rising?.reason,
        '7 incidents in the last 4 weeks, up from an average of 1 every 4 weeks before',
      );
    });

    it('says "none" when the weeks before had no incidents, and "about" for an uneven average', () => {
      const quietBefore = [at(110), ...[1, 2, 3, 4, 5].map((days) => at(days))];
      assert.equal(
        signalsOf(quietBefore)[0]?.reason,
        '5 incidents in the last 4 weeks, up from an average of fewer than 1 every 4 weeks before',
      );
      const longQuiet = [at(200), ...[1, 2, 3, 4, 5].map((days) => at(days))];
      assert.equal(
        signalsOf(longQuiet)[0]?.reason,
        '5 incidents in the last 4 weeks, up from none in the 12 weeks before',
      );
      const seven = [200, 35, 45, 55, 65, 75, 85, 95].map((days) => at(days));
      const recent = Array.from({ length: 10 }, (_, index) => at(index + 1));
      assert.equal(
        signalsOf([...seven, ...recent])[0]?.reason,
        '10 incidents in the last 4 weeks, up from an average of about 2 every 4 weeks before',
      );
    });

    it('is not raised below the minimum, so one or two more incidents is not escalation', () => {
      const few = [
        at(200),
        ...Array.from({ length: ESCALATION.minimumRecentIncidents - 1 }, (_, i) => at(i + 1)),
      ];
      assert.deepEqual(rules(signalsOf(few)), []);
    });

    it('is not raised when the rate is less than double what it was', () => {
      const before = Array.from({ length: 12 }, (_, index) => at(111 - index * 7)); // 4 every 4 weeks
      const recent = Array.from({ length: 7 }, (_, index) => at(index * 4)); // 7: under double
      assert.deepEqual(rules(signalsOf([...before, ...recent])), []);
      const doubled = Array.from({ length: 8 }, (_, index) => at(index * 3));
      assert.deepEqual(rules(signalsOf([...before, ...doubled])), ['frequency_rising']);
    });

    it('is not judged on a diary that began too recently to have a baseline', () => {
      const burst = Array.from({ length: 12 }, (_, index) => at(index));
      assert.deepEqual(rules(signalsOf(burst)), []);
      assert.deepEqual(rules(signalsOf([...burst, at(28 + ESCALATION.minimumBaselineDays)])), [
        'frequency_rising',
      ]);
    });

    it('never fires on a steady frequency, however long the diary (property)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 6 }), // incidents each week
          fc.integer({ min: 28 + ESCALATION.minimumBaselineDays, max: 400 }), // first incident, days ago
          (perWeek, start) => {
            const diary: Incident[] = [];
            for (let daysAgo = start; daysAgo >= 0; daysAgo -= 7)
              for (let n = 0; n < perWeek; n += 1) diary.push(at(daysAgo));
            return !rules(signalsOf(diary)).includes('frequency_rising');
          },
        ),
      );
    });

    it('never fires with fewer recent incidents than the minimum (property)', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 28, max: 300 }), { maxLength: 40 }),
          fc.array(fc.integer({ min: 0, max: 27 }), { maxLength: ESCALATION.minimumRecentIncidents - 1 }),
          (older, recent) =>
            !rules(signalsOf([...older, ...recent].map((days) => at(days)))).includes('frequency_rising'),
        ),
      );
    });
  });

  describe('new serious behaviour', () => {
    it('names the behaviour and the day it first happened', () => {
      const diary = [at(60), at(20, 'threats', 'messages'), at(5, 'threats')];
      assert.deepEqual(
        signalsOf(diary).map((signal) => signal.reason),
        ['Threats recorded for the first time on 3 November 2026'],
      );
      assert.deepEqual(rules(signalsOf(diary)), ['new_serious_behaviour:threats']);
    });

    it('is one signal for each serious behaviour, and none for behaviours that are not on the list', () => {
      const diary = [at(3, 'turning_up_home', 'violence', 'following', 'calls')];
      assert.deepEqual(rules(signalsOf(diary)), [
        'new_serious_behaviour:turning_up_home',
        'new_serious_behaviour:violence',
      ]);
    });

    it('is not raised when the behaviour was seen before the last 4 weeks', () => {
      assert.deepEqual(rules(signalsOf([at(40, 'property'), at(2, 'property')])), []);
    });

    it('is never created by adding an older incident of a behaviour already in the diary (property)', () => {
      const serious = fc.constantFrom(...ESCALATION.seriousBehaviours);
      const incident = fc.record({
        daysAgo: fc.integer({ min: 0, max: 200 }),
        behaviours: fc.subarray(
          INCIDENT_BEHAVIOURS.map((b) => b.value),
          { minLength: 1 },
        ),
      });
      fc.assert(
        fc.property(
          fc.array(incident, { minLength: 1, maxLength: 30 }),
          serious,
          fc.integer({ min: 1, max: 300 }),
          (entries, behaviour, earlier) => {
            const diary = entries.map((entry) => at(entry.daysAgo, ...entry.behaviours));
            const seen = entries.filter((entry) => entry.behaviours.includes(behaviour));
            fc.pre(seen.length > 0);
            const firstSeen = Math.max(...seen.map((entry) => entry.daysAgo));
            const rule = `new_serious_behaviour:${behaviour}`;
            const before = rules(signalsOf(diary)).includes(rule);
            const after = rules(signalsOf([...diary, at(firstSeen + earlier, behaviour)])).includes(rule);
            return !after || before;
          },
        ),
      );
    });
  });

  describe('contact with third parties', () => {
    it('is raised when friends, family or an employer are contacted for the first time', () => {
      assert.deepEqual(signalsOf([at(50), at(1, 'third_parties')]), [
        {
          kind: 'third_parties',
          rule: 'third_parties',
          reason: 'Contacting friends, family or employer recorded for the first time on 22 November 2026',
        },
      ]);
    });
  });
});

describe('which signals to raise', () => {
  const threats: Signal = {
    kind: 'new_serious_behaviour',
    rule: 'new_serious_behaviour:threats',
    reason: 'x',
  };
  const rising: Signal = { kind: 'frequency_rising', rule: 'frequency_rising', reason: 'y' };

  it('raises a signal once', () => {
    assert.deepEqual(signalsToRaise([threats, rising], [], NOW), [threats, rising]);
    assert.deepEqual(
      signalsToRaise(
        [threats],
        [{ rule: threats.rule, detectedAt: new Date(NOW.getTime() - 400 * DAY) }],
        NOW,
      ),
      [],
    );
  });

  it('raises a rising frequency again only when the last one is 4 weeks old', () => {
    const raisedDaysAgo = (days: number) => [
      { rule: 'frequency_rising', detectedAt: new Date(NOW.getTime() - days * DAY) },
    ];
    assert.deepEqual(signalsToRaise([rising], raisedDaysAgo(27), NOW), []);
    assert.deepEqual(signalsToRaise([rising], raisedDaysAgo(28), NOW), [rising]);
    assert.deepEqual(signalsToRaise([rising], [...raisedDaysAgo(60), ...raisedDaysAgo(3)], NOW), []);
  });

  it('raises nothing the second time for the same diary (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 40 }),
        fc.subarray([...ESCALATION.seriousBehaviours]),
        (days, behaviours) => {
          const signals = signalsOf(
            days.map((daysAgo, index) =>
              at(daysAgo, behaviours[index % Math.max(1, behaviours.length)] ?? 'calls'),
            ),
          );
          const first = signalsToRaise(signals, [], NOW);
          const again = signalsToRaise(
            signals,
            first.map((signal) => ({ rule: signal.rule, detectedAt: NOW })),
            NOW,
          );
          return first.length === signals.length && again.length === 0;
        },
      ),
    );
  });
});

describe('addWorkingDays', () => {
  it('skips the weekend', () => {
    assert.equal(addWorkingDays('2026-11-23', 2), '2026-11-25'); // Monday to Wednesday
    assert.equal(addWorkingDays('2026-11-26', 2), '2026-11-30'); // Thursday to Monday
    assert.equal(addWorkingDays('2026-11-28', 2), '2026-12-01'); // Saturday to Tuesday
  });
});
