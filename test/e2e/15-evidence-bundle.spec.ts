// An evidence bundle made from the case 11-casework.spec.ts opened and 12-diary.spec.ts filled: the caseworker
// chooses what goes in and who it is for, follows it being made by asking how far it has got, downloads the ZIP,
// and checks it on the public checking page, as the police officer given it would.
import { expect, test } from './support/fixtures.ts';
import type { VigilPage } from './support/vigil-page.ts';

const CLIENT = 'Eluned Carrow';

/**
 * Follows the progress page until the bundle is ready: the page does not refresh itself (WCAG 2.2.1), so the
 * caseworker presses "Check how far it has got", and every page she sees is checked with axe.
 */
async function waitUntilReady(app: VigilPage): Promise<void> {
  const ready = app.page.getByTestId('bundle-ready');
  for (let tries = 0; tries < 120 && !(await ready.isVisible()); tries += 1) {
    await expect(app.page.getByTestId('bundle-progress')).toContainText('% done');
    await app.page.waitForTimeout(500);
    await app.follow(app.page.getByTestId('bundle-check-again'));
  }
  await expect(ready).toBeVisible();
}

test.describe('Evidence bundles', () => {
  test.setTimeout(240_000);

  test('a caseworker makes a bundle for a court, downloads it and checks it on the public page', async ({
    signedInAs,
  }) => {
    const caseworker = await signedInAs('caseworker');
    let zip = '';

    await test.step('she opens the case and chooses what goes in', async () => {
      await caseworker.visit('/cases');
      await caseworker.follow(
        caseworker.page.getByTestId('case-row').filter({ hasText: CLIENT }).getByRole('link'),
      );
      await caseworker.follow(caseworker.page.getByTestId('new-bundle'));
      await expect(caseworker.heading).toHaveText('Make an evidence bundle');
      await expect(
        caseworker.page.getByLabel('Take the client’s address and contact details out of the document'),
        'redaction is on by default',
      ).toBeChecked();
      await caseworker.fillDate('Incidents from (optional)', { day: '31', month: '2', year: '2026' });
      await caseworker.submit('Make the bundle');
      await expect(caseworker.errorSummary).toContainText('Select who the bundle is for');
      await expect(caseworker.errorSummary).toContainText('The start date must be a real date');
      await expect(
        caseworker.page.getByRole('group', { name: 'Incidents from (optional)' }).getByLabel('Day'),
        'what was typed is kept',
      ).toHaveValue('31');
      await caseworker.fillDate('Incidents from (optional)', { day: '', month: '', year: '' });
      await caseworker.page.getByRole('radio', { name: 'Court', exact: true }).check();
      await caseworker.submit('Make the bundle');
    });

    await test.step('she sees it being made, then downloads it', async () => {
      await waitUntilReady(caseworker);
      await expect(caseworker.page.getByTestId('bundle-details')).toContainText('Redacted');
      await expect(caseworker.page.getByTestId('signing-key-id')).toHaveText(/^[0-9a-f]{16}$/);
      const [download] = await Promise.all([
        caseworker.page.waitForEvent('download'),
        caseworker.page.getByTestId('download-bundle').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^evidence-bundle-[0-9a-f-]{36}\.zip$/);
      zip = await download.path();
    });

    await test.step('the bundle is checked on the public page and found intact', async () => {
      await caseworker.visit('/bundles/verify');
      await caseworker.page.getByLabel('The bundle’s ZIP file').setInputFiles(zip);
      await caseworker.submit('Check the bundle');
      await expect(caseworker.page.getByTestId('verify-ok')).toContainText('The bundle is intact');
      await expect(caseworker.page.getByTestId('verify-files')).toContainText('evidence-bundle.pdf');
      await expect(caseworker.page.getByTestId('verify-files')).toContainText('manifest.json.sig');
    });
  });
});
