import assert from 'node:assert/strict';

/**
 * The submission id a create form carries (see takeSubmissionId), from a page: of the form marked
 * `data-qa="<formQa>"` when the page has several.
 */
export function submissionIdIn(body: string, formQa?: string): string {
  const from = formQa ? (body.split(`data-qa="${formQa}"`)[1] ?? '') : body;
  const id = /name="submissionId" value="([^"]+)"/.exec(from)?.[1];
  assert.ok(id, `the ${formQa ?? 'page'} form carries a submission id`);
  return id;
}

/** The messages in a page's GOV.UK error summary, in order. */
export function errorSummary(body: string): string[] {
  return [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/>([^<>]+)<\/a>/g),
  ].map((match) => match[1]!.trim());
}
