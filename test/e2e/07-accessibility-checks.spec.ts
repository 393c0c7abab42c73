// The accessibility checks other specs rely on: they must find a violation when there is one, and notice a
// page that was reached without being checked.
import { axeViolations } from './support/accessibility.ts';
import { expect, test } from './support/fixtures.ts';

test.describe('The accessibility checks themselves', () => {
  test('axe-core reports WCAG violations by rule, description and element, and only those', async ({
    browser,
  }) => {
    // A page of its own, outside Vigil and outside the checks: an image with no text alternative (WCAG 1.1.1)
    // and text outside any landmark (a best practice, not a WCAG failure, so not reported).
    const page = await browser.newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><title>Test</title><p>Outside</p><main><img src="data:," id="chart"></main></html>',
    );
    const violations = await axeViolations(page);
    await page.close();
    expect(violations).toEqual([
      expect.stringMatching(/^image-alt \(critical\): .+ — element #chart — https:\/\//),
    ]);
  });

  test('a page reached without the page object is noticed as unchecked', async ({ app }) => {
    await app.page.goto(app.url('/sign-in'));
    expect(app.pagesNotChecked()).toEqual([app.url('/sign-in')]);

    await app.checkAccessibility();
    expect(app.pagesNotChecked()).toEqual([]);
  });

  test('every visit to a page needs its own check, even at the same address', async ({ app }) => {
    await app.visit('/sign-in');
    await app.page.reload();
    expect(app.pagesNotChecked()).toEqual([app.url('/sign-in')]);

    await app.checkAccessibility();
    expect(app.pagesNotChecked()).toEqual([]);
  });
});
