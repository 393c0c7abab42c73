import { stepsFor, type ReferralAnswers, type StepId } from '../referral-answers.ts';
import { QUESTION_PAGES } from './journey.ts';
import type { StepContext } from './step.ts';

type SummaryListRow = {
  key: { text: string };
  value: { text: string } | { html: string };
  actions: { items: { href: string; text: string; visuallyHiddenText: string }[] };
};

export type CheckSection = { heading: string; step: StepId; rows: SummaryListRow[] };

const escapeHtml = (value: string) =>
  value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** Several lines (a list, or text typed over several lines) are shown a line each, escaped. */
function valueOf(value: string | string[] | null): SummaryListRow['value'] {
  if (value === null || value === '' || (Array.isArray(value) && !value.length)) return { text: 'Not given' };
  const lines = [value].flat().flatMap((line) => line.split(/\r?\n/));
  return lines.length === 1 ? { text: lines[0]! } : { html: lines.map(escapeHtml).join('<br>') };
}

/**
 * The check-your-answers page as GOV.UK summary lists: one section a question page, each answer with a Change
 * link back to its page (which returns here after Continue).
 */
export function checkAnswers(
  answers: ReferralAnswers,
  context: StepContext,
  changeHref: (step: StepId) => string,
): CheckSection[] {
  return stepsFor(answers.route).map((id) => {
    const step = QUESTION_PAGES[id];
    return {
      heading: step.section(context),
      step: id,
      rows: step.summary(answers, context).map((row) => ({
        key: { text: row.key },
        value: valueOf(row.value),
        actions: {
          items: [{ href: changeHref(id), text: 'Change', visuallyHiddenText: row.key.toLowerCase() }],
        },
      })),
    };
  });
}
