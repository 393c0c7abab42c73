// The stalking diary on a phone, as the caseworker holding a case uses it with the client beside her: an incident
// recorded quickly, two photos attached, the entry seen on the timeline and on the chart of incidents per week,
// then corrected, with the history showing what changed and why. The case is the one 11-casework.spec.ts opened
// and worked on a phone-sized screen.
import sharp from 'sharp';
import { expect, test } from './support/fixtures.ts';
import type { VigilPage } from './support/vigil-page.ts';

const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const CLIENT = 'Eluned Carrow';

/** A small JPEG photo, as a phone would take one, with the time it was taken in its EXIF data. */
async function photo(colour: { r: number; g: number; b: number }, takenAt: string): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: colour } })
    .jpeg()
    .withExif({ IFD0: { Make: 'Synthetic', DateTime: takenAt }, IFD2: { DateTimeOriginal: takenAt } })
    .toBuffer();
}

async function expectNoSidewaysScroll(app: VigilPage) {
  expect(await app.scrollWidth(), `width of ${app.page.url()}`).toBeLessThanOrEqual(375);
}

test.describe('The diary', () => {
  test.setTimeout(240_000);

  test('on a phone, a caseworker records an incident with two photos, sees it on the timeline and the chart, and corrects it', async ({
    signedInAs,
  }) => {
    const phone = await signedInAs('caseworker', PHONE);
    const description =
      'He was waiting at the end of her road at 7am and shouted that he knows where she lives.';

    await test.step('the caseworker opens the case from her caseload and adds an incident quickly', async () => {
      await phone.visit('/cases');
      await phone.follow(phone.page.getByTestId('case-row').filter({ hasText: CLIENT }).getByRole('link'));
      await phone.follow(phone.page.getByRole('button', { name: 'Add an incident quickly' }));
      await expectNoSidewaysScroll(phone);
      const when = phone.page.getByRole('group', { name: 'When did it happen?' });
      await expect(when.getByLabel('Day'), 'today is filled in').not.toHaveValue('');
      const what = phone.page.getByRole('group', { name: 'What happened?' });
      await what.getByLabel('Turning up at their home').check();
      await what.getByLabel('Threats').check();
      await phone.submit('Save incident');
      await expect(phone.errorSummary).toContainText('Describe what happened');
      await phone.page.getByLabel('Describe what happened').fill(description);
      await phone.submit('Save incident');
      await expect(phone.page.getByTestId('entry-notice')).toBeVisible();
      await expect(phone.page.getByRole('heading', { level: 1 })).toHaveText(/^Diary entry \d+$/);
    });

    await test.step('she attaches two photos, and sees them listed with their hashes', async () => {
      await phone.follow(phone.page.getByRole('link', { name: 'Add evidence files' }));
      await expectNoSidewaysScroll(phone);
      await phone.page.getByLabel('Add files').setInputFiles([
        {
          name: 'doorstep-1.jpg',
          mimeType: 'image/jpeg',
          buffer: await photo({ r: 180, g: 40, b: 40 }, '2026:11:20 07:02:11'),
        },
        {
          name: 'doorstep-2.jpg',
          mimeType: 'image/jpeg',
          buffer: await photo({ r: 40, g: 40, b: 180 }, '2026:11:20 07:03:45'),
        },
      ]);
      await phone.submit('Attach files');
      await expect(phone.page.getByTestId('uploaded')).toContainText('Evidence attached');
      const exhibits = phone.page.getByTestId('exhibit');
      await expect(exhibits).toHaveCount(2);
      await expect(exhibits.first().getByTestId('exhibit-type')).toContainText('JPEG image');
      await expect(exhibits.first().getByTestId('exhibit-captured')).toContainText('20 November 2026');
      await expect(exhibits.first().getByTestId('exhibit-thumbnail')).toBeVisible();
    });

    await test.step('the entry is on the diary timeline with its evidence', async () => {
      await phone.follow(phone.page.getByRole('link', { name: /^Back to diary entry/ }));
      await expect(phone.page.getByTestId('exhibit')).toHaveCount(2);
      await phone.follow(phone.page.getByRole('link', { name: 'Back to the diary' }));
      const entry = phone.page.getByTestId('diary-entry').filter({ hasText: description });
      await expect(entry).toContainText('Turning up at their home');
      await expect(entry).toContainText('2 evidence files');
      await expectNoSidewaysScroll(phone);
    });

    await test.step('and on the chart of incidents per week, with its table', async () => {
      await phone.follow(phone.page.getByRole('button', { name: 'Patterns and escalation' }));
      await expect(phone.page.getByRole('img', { name: /Behaviours recorded each week/ })).toBeVisible();
      await phone.page.getByText('Show the figures as a table').first().click();
      await expect(phone.page.getByRole('table').first()).toContainText('Threats');
      await expectNoSidewaysScroll(phone);
    });

    await test.step('she corrects the entry, and the history shows what changed and why', async () => {
      await phone.visit(phone.page.url().replace(/\/patterns$/, ''));
      await phone.follow(
        phone.page.getByTestId('diary-entry').filter({ hasText: description }).getByRole('link').first(),
      );
      await phone.follow(phone.page.getByRole('button', { name: 'Correct this entry' }));
      const corrected = description.replace('7am', '6:45am');
      await phone.page.getByLabel('Describe what happened').fill(corrected);
      await phone.page
        .getByLabel('Why is it being corrected?')
        .fill('She checked her doorbell camera: it was 6:45.');
      await phone.submit('Save correction');
      await expect(phone.page.getByTestId('version-count')).toHaveText(
        'Corrected: 2 versions, newest first.',
      );
      const latest = phone.page.getByTestId('version').first();
      await expect(latest.getByTestId('reason')).toContainText('She checked her doorbell camera');
      await expect(latest.getByTestId('change')).toContainText('6:45am');
      await expectNoSidewaysScroll(phone);
    });
  });
});
