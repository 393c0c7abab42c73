// Runs axe-core on the page as it is now and describes each violation in a line a person can act on.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** WCAG 2.2 AA, the level public services in the UK must meet. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export type Violation = string;

/**
 * Legacy mode runs axe in the page alone, without the blank extra tab the default mode opens to combine
 * results from frames: twice as fast, and Vigil's pages have no frames.
 */
export async function axeViolations(page: Page): Promise<Violation[]> {
  const results = await new AxeBuilder({ page })
    // options() replaces the run options, so it comes before withTags(), which adds to them.
    .options({ resultTypes: ['violations'] })
    .withTags(WCAG_TAGS)
    .setLegacyMode(true)
    .analyze();
  return results.violations.flatMap((violation) =>
    violation.nodes
      .filter((node) => !isGovukConditionalReveal(violation.id, node.html, node.failureSummary))
      .map(
        (node) =>
          `${violation.id} (${violation.impact ?? 'unknown impact'}): ${violation.help} — ` +
          `element ${node.target.map(String).join(' >>> ')} — ${violation.helpUrl}`,
      ),
  );
}

/**
 * GOV.UK Frontend marks a radio or checkbox that reveals a follow-up question with aria-expanded, on purpose
 * and tested with screen readers (it tells users that choosing it shows more). axe's aria-allowed-attr rule does
 * not allow aria-expanded on role radio or checkbox. This one known, deliberate pattern is let through; every
 * other aria-allowed-attr finding, and anything else on those inputs, still fails.
 */
export function isGovukConditionalReveal(
  rule: string,
  html: string,
  failureSummary: string | undefined,
): boolean {
  return (
    rule === 'aria-allowed-attr' &&
    /class="govuk-(radios|checkboxes)__input"/.test(html) &&
    /aria-controls="conditional-/.test(html) &&
    /aria-expanded/.test(failureSummary ?? '') &&
    !/aria-(?!expanded)[a-z]+="/.test((failureSummary ?? '').replace(/aria-expanded="[^"]*"/g, ''))
  );
}
