import { incompleteSteps, stepsFor, STEPS, type ReferralAnswers, type StepId } from '../referral-answers.ts';
import { children } from './children.ts';
import { consent } from './consent.ts';
import { contact } from './contact.ts';
import { danger } from './danger.ts';
import { language } from './language.ts';
import { perpetrator } from './perpetrator.ts';
import { person } from './person.ts';
import { police } from './police.ts';
import { referrer } from './referrer.ts';
import type { Step, StepContext } from './step.ts';
import { what } from './what.ts';
import { who } from './who.ts';

/** Every question page, by its id (the last part of its address). */
export const QUESTION_PAGES: Record<StepId, Step> = {
  who,
  referrer,
  consent,
  danger,
  person,
  contact,
  language,
  what,
  perpetrator,
  police,
  children,
};

export function isStepId(value: string): value is StepId {
  return (STEPS as readonly string[]).includes(value);
}

/** Where a page is in this person's journey: 'who' first, then only the steps their route asks. */
export function isInJourney(step: StepId, answers: ReferralAnswers): boolean {
  if (answers.route === null) return step === 'who';
  return stepsFor(answers.route).includes(step);
}

/** The page before this one, or null for the first question (whose Back goes to the start page). */
export function previousStep(step: StepId, answers: ReferralAnswers): StepId | null {
  const steps = stepsFor(answers.route);
  const index = steps.indexOf(step);
  return index > 0 ? steps[index - 1]! : null;
}

/**
 * Where Continue goes once a page's answers are saved: the next question, or the check page after the last.
 * A change made from the check page returns there, unless the change (such as who the form is for) means
 * another question now needs an answer.
 */
export function afterSaving(step: StepId, answers: ReferralAnswers, fromCheck: boolean): StepId | 'check' {
  if (fromCheck) return incompleteSteps(answers)[0] ?? 'check';
  const steps = stepsFor(answers.route);
  return steps[steps.indexOf(step) + 1] ?? 'check';
}

export function contextFor(answers: ReferralAnswers, today: string): StepContext {
  return { route: answers.route ?? 'self', today };
}
