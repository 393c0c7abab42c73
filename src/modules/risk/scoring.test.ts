import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RiskLevel } from '../../db/schema.ts';
import { parseDefinition, sectionAnswers } from './risk.schema.ts';
import {
  answerChanges,
  judgedLevel,
  scoreAnswers,
  templatesToOffer,
  unansweredQuestions,
  type Answers,
} from './scoring.ts';
import {
  definitionSchema,
  questionsOf,
  SHIPPED_TEMPLATES,
  type RiskTemplateDefinition,
} from './templates.ts';

const checklist = SHIPPED_TEMPLATES.find((template) => template.templateKey === 'risk-checklist')!.definition;
const screening = SHIPPED_TEMPLATES.find(
  (template) => template.templateKey === 'stalking-screening',
)!.definition;

/** Answers with the first `yes` scored questions "yes", the next `notKnown` "not known", and the rest "no". */
function answers(definition: RiskTemplateDefinition, yes: number, notKnown = 0): Answers {
  const given: Answers = {};
  let index = 0;
  for (const question of questionsOf(definition)) {
    if (question.kind === 'text') continue;
    given[question.id] = { choice: index < yes ? 'yes' : index < yes + notKnown ? 'not_known' : 'no' };
    index += 1;
  }
  return given;
}

describe('risk scoring', () => {
  const cases: {
    template: string;
    definition: RiskTemplateDefinition;
    yes: number;
    notKnown: number;
    level: RiskLevel;
  }[] = [
    { template: 'checklist', definition: checklist, yes: 0, notKnown: 0, level: 'standard' },
    { template: 'checklist', definition: checklist, yes: 9, notKnown: 0, level: 'standard' },
    { template: 'checklist', definition: checklist, yes: 9, notKnown: 15, level: 'standard' },
    { template: 'checklist', definition: checklist, yes: 10, notKnown: 0, level: 'medium' },
    { template: 'checklist', definition: checklist, yes: 13, notKnown: 11, level: 'medium' },
    { template: 'checklist', definition: checklist, yes: 14, notKnown: 0, level: 'high' },
    { template: 'checklist', definition: checklist, yes: 24, notKnown: 0, level: 'high' },
    { template: 'screening', definition: screening, yes: 0, notKnown: 11, level: 'standard' },
    { template: 'screening', definition: screening, yes: 2, notKnown: 0, level: 'standard' },
    { template: 'screening', definition: screening, yes: 3, notKnown: 0, level: 'medium' },
    { template: 'screening', definition: screening, yes: 5, notKnown: 6, level: 'medium' },
    { template: 'screening', definition: screening, yes: 6, notKnown: 0, level: 'high' },
    { template: 'screening', definition: screening, yes: 11, notKnown: 0, level: 'high' },
  ];
  for (const { template, definition, yes, notKnown, level } of cases)
    it(`gives the ${template} with ${yes} yes and ${notKnown} not known a ${level} level`, () => {
      const score = scoreAnswers(definition, answers(definition, yes, notKnown));
      assert.equal(score.score, yes, 'only "yes" counts; "not known" never does');
      assert.equal(score.notKnown, notKnown);
      assert.equal(score.unanswered, 0);
      assert.equal(score.level, level);
    });

  it('ships 24 checklist questions, high from 14, and 11 screening questions', () => {
    assert.equal(questionsOf(checklist).filter((question) => question.scored).length, 24);
    assert.equal(checklist.thresholds.high, 14);
    assert.equal(questionsOf(screening).filter((question) => question.scored).length, 11);
  });

  it('counts questions not answered yet, and names them', () => {
    const partial = answers(checklist, 3);
    delete partial.injury;
    delete partial.weapons;
    const score = scoreAnswers(checklist, partial);
    assert.equal(score.unanswered, 2);
    assert.deepEqual(
      unansweredQuestions(checklist, partial).map((question) => question.id),
      ['injury', 'weapons'],
    );
    const wordsOnly: Answers = { ...answers(checklist, 0), injury: { words: 'Not sure' } };
    assert.deepEqual(
      unansweredQuestions(checklist, wordsOnly).map((question) => question.id),
      ['injury'],
      'words alone are not an answer',
    );
  });

  describe('professional judgement', () => {
    const table: { computed: RiskLevel; judgement: RiskLevel; reason: string; expect: string }[] = [
      { computed: 'standard', judgement: 'medium', reason: 'New threats', expect: 'ok medium' },
      { computed: 'standard', judgement: 'high', reason: 'Tracker found', expect: 'ok high' },
      { computed: 'medium', judgement: 'high', reason: 'Bought a weapon', expect: 'ok high' },
      { computed: 'medium', judgement: 'medium', reason: 'Same', expect: 'not_higher' },
      { computed: 'medium', judgement: 'standard', reason: 'Feels calmer', expect: 'not_higher' },
      { computed: 'high', judgement: 'standard', reason: 'Client says fine', expect: 'not_higher' },
      { computed: 'high', judgement: 'medium', reason: 'Moved away', expect: 'not_higher' },
      { computed: 'standard', judgement: 'high', reason: '   ', expect: 'reason_missing' },
    ];
    for (const { computed, judgement, reason, expect } of table)
      it(`from ${computed}, judging ${judgement}${reason.trim() ? '' : ' without a reason'} is ${expect}`, () => {
        const result = judgedLevel(computed, { level: judgement, reason });
        assert.equal(result.kind === 'ok' ? `ok ${result.level}` : result.kind, expect);
      });

    it('keeps the computed level when there is no judgement', () => {
      assert.deepEqual(judgedLevel('medium', null), { kind: 'ok', level: 'medium', judgement: null });
    });
  });

  it('lists what changed between two assessments, by question', () => {
    const before = answers(checklist, 2);
    const now = answers(checklist, 2);
    now.injury = { choice: 'no' };
    now.weapons = { choice: 'not_known' };
    assert.deepEqual(
      answerChanges({ definition: checklist, answers: before }, { definition: checklist, answers: now }).map(
        (change) => `${change.questionId}: ${change.from} → ${change.to}`,
      ),
      ['injury: Yes → No', 'weapons: No → Not known'],
    );
  });

  describe('templates to offer', () => {
    const at = (day: number) => new Date(Date.UTC(2026, 10, day));
    const stalkingYes = { ...answers(checklist, 0), stalking: { choice: 'yes' as const } };

    it('offers the stalking screening after a "yes" to the stalking question, until one is done', () => {
      const checklistDone = {
        templateKey: 'risk-checklist',
        completedAt: at(2),
        definition: checklist,
        answers: stalkingYes,
      };
      assert.deepEqual(
        templatesToOffer([checklistDone]).map((offer) => offer.templateKey),
        ['stalking-screening'],
      );
      const screeningBefore = {
        templateKey: 'stalking-screening',
        completedAt: at(1),
        definition: screening,
        answers: answers(screening, 1),
      };
      assert.equal(
        templatesToOffer([checklistDone, screeningBefore]).length,
        1,
        'a screening before it does not count',
      );
      const screeningAfter = { ...screeningBefore, completedAt: at(3) };
      assert.deepEqual(templatesToOffer([screeningAfter, checklistDone]), []);
    });

    it('offers nothing on a "no", but a stalking service screens every case once', () => {
      const no = {
        templateKey: 'risk-checklist',
        completedAt: at(2),
        definition: checklist,
        answers: answers(checklist, 0),
      };
      assert.deepEqual(templatesToOffer([no]), []);
      assert.deepEqual(
        templatesToOffer([no], ['stalking-screening']).map((offer) => offer.because),
        ['The case has not had one yet'],
      );
      assert.deepEqual(templatesToOffer([], ['stalking-screening']).length, 1);
    });
  });

  describe('a pasted questionnaire', () => {
    it('names what is wrong and where', () => {
      const bad = structuredClone<RiskTemplateDefinition>(screening);
      bad.sections[0]!.questions[1]!.id = bad.sections[0]!.questions[0]!.id;
      const result = parseDefinition(JSON.stringify(bad));
      assert.ok(result.errors);
      assert.match(result.errors.summary[0]!.text, /Question id ".+" is used twice/);
      const unreadable = parseDefinition('{"title": "x",}');
      assert.match(unreadable.errors!.summary[0]!.text, /^The definition is not valid JSON: /);
      const missing = parseDefinition(JSON.stringify({ ...screening, sections: [] }));
      assert.match(missing.errors!.summary[0]!.text, /^sections: /);
    });

    it('accepts a shipped definition as it is', () => {
      const result = parseDefinition(JSON.stringify(checklist));
      assert.equal(result.errors, null);
      assert.deepEqual(result.definition, definitionSchema.parse(checklist));
    });
  });

  describe('a section form', () => {
    const section = checklist.sections[0]!;
    it('takes choices and the client’s words, and leaves out what was not given', () => {
      const { answers: given, errors } = sectionAnswers(section, {
        injury: 'yes',
        'injury-words': '  A cut above the eye ',
        frightened: '',
        next: 'continue',
      });
      assert.equal(errors, null);
      assert.deepEqual(given, { injury: { choice: 'yes', words: 'A cut above the eye' } });
    });

    it('refuses a choice not offered or a field the section does not ask for', () => {
      assert.throws(() => sectionAnswers(section, { injury: 'perhaps' }), /Altered form/);
      assert.throws(() => sectionAnswers(section, { weapons: 'yes' }), /Unexpected form fields/);
    });
  });
});
