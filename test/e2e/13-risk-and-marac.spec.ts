// Risk assessment and MARAC, as the caseworker holding the case does them: the stalking screening the case page
// asks for, a full risk checklist that reaches high risk, and the MARAC referral the case then prompts, made
// without keying any answer again. The case is the one 11-casework.spec.ts opened and 12-diary.spec.ts added to.
import type { Locator } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import type { VigilPage } from './support/vigil-page.ts';

const CLIENT = 'Eluned Carrow';

/**
 * Answers every question on the page: "Yes" to the first `yes` of them, "No" to the rest; `yes` is reduced by
 * the number answered yes. Returns how many "yes" are still to give.
 */
async function answerSection(app: VigilPage, yes: number): Promise<number> {
  const questions: Locator = app.page.getByTestId('risk-question');
  const count = await questions.count();
  for (let index = 0; index < count; index += 1) {
    const answer = index < yes ? 'Yes' : 'No';
    await questions.nth(index).getByRole('radio', { name: answer, exact: true }).check();
  }
  return Math.max(0, yes - count);
}

/** Answers every section of the assessment on screen, then lands on the check page. */
async function answerAll(app: VigilPage, yes: number, words?: { question: string; text: string }) {
  let left = yes;
  while (
    !(await app.page
      .getByRole('heading', { name: 'Check the answers and complete the assessment' })
      .isVisible())
  ) {
    const question = words && app.page.getByTestId('risk-question').filter({ hasText: words.question });
    if (question && (await question.count()) === 1)
      await question.getByLabel('In the client’s words (optional)').fill(words.text);
    left = await answerSection(app, left);
    await app.submit('Save and continue');
  }
}

test.describe('Risk assessment and MARAC', () => {
  test.setTimeout(240_000);

  test('a caseworker screens for stalking, completes a checklist that reaches high risk and refers to MARAC', async ({
    signedInAs,
  }) => {
    const app = await signedInAs('caseworker');

    await test.step('the case has not been assessed, and asks for the stalking screening', async () => {
      await app.visit('/cases');
      await app.follow(app.page.getByTestId('case-row').filter({ hasText: CLIENT }).getByRole('link'));
      const risk = app.page.getByTestId('case-risk');
      await expect(risk.getByTestId('case-risk-level')).toHaveText('Not assessed yet');
      await expect(risk.getByTestId('risk-offer')).toContainText('Complete the stalking screening');
      await app.submit(risk.getByRole('button', { name: 'Start the stalking screening' }));
    });

    await test.step('she answers the screening a section at a time, with the client’s words, and completes it', async () => {
      await expect(app.page.getByRole('heading', { level: 1 })).not.toBeEmpty();
      await expect(app.page.getByText(/Section 1 of \d/)).toBeVisible();
      await answerAll(app, 4, {
        question: 'Has the person threatened physical or sexual violence?',
        text: 'He said I would regret leaving him and that he knows my new address',
      });
      await expect(app.page.getByTestId('risk-computed-level')).toHaveText('Medium risk');
      await expect(app.page.getByTestId('risk-words').first()).toContainText('he knows my new address');
      await app.submit('Complete the assessment');
      await expect(app.errorSummary).toContainText(
        'Select whether your professional judgement raises the level',
      );
      await app.page.getByRole('radio', { name: /^No, keep the level from the score/ }).check();
      await app.submit('Complete the assessment');
      await expect(app.page.getByTestId('risk-notice')).toContainText(
        'Stalking screening completed: medium risk',
      );
      await expect(app.page.getByTestId('risk-current-level')).toHaveText('Medium risk');
    });

    await test.step('she stops part-way through the risk checklist, then carries on where she left off', async () => {
      await app.submit(
        app.page.getByRole('button', {
          name: /^Start a domestic abuse, stalking and harassment risk checklist$/,
        }),
      );
      await expect(app.page.getByText('Section 1 of 4')).toBeVisible();
      await answerSection(app, 5);
      await app.submit('Save and come back later');
      await expect(app.page.getByTestId('risk-notice')).toContainText('Your answers are saved');
      await expect(app.page.getByTestId('risk-in-progress')).toContainText('5 of 24 questions answered');
      await app.follow(app.page.getByTestId('risk-in-progress').getByRole('link', { name: /^Continue/ }));
      await expect(app.page.getByText('Section 2 of 4')).toBeVisible();
    });

    await test.step('the checklist reaches high risk and the case shows it', async () => {
      await answerAll(app, 9);
      await expect(app.page.getByTestId('risk-score-value')).toHaveText('14 of 24 answered yes');
      await expect(app.page.getByTestId('risk-computed-level')).toHaveText('High risk');
      await app.submit('Complete the assessment');
      await expect(app.page.getByTestId('risk-notice')).toContainText('completed: high risk');
      await expect(app.page.getByTestId('risk-current-level')).toHaveText('High risk');
      await expect(app.page.getByTestId('risk-history-entry')).toHaveCount(2);
      await app.follow(app.page.getByRole('link', { name: /^View the answers/ }).first());
      await expect(app.page.getByTestId('risk-level')).toHaveText('High risk');
      await app.follow('Back to risk assessments');
      await app.follow('Back to the case');
      await expect(app.page.getByTestId('case-header-risk')).toHaveText('High risk');
    });

    await test.step('the case prompts a MARAC referral, made from the answers already given', async () => {
      const prompt = app.page.getByTestId('marac-prompt');
      await expect(prompt).toContainText('meets the MARAC criteria for visible high risk');
      await app.follow(prompt.getByRole('button', { name: 'Refer to MARAC' }));
      await expect(app.page.getByRole('heading', { level: 1 })).toHaveText('Refer to MARAC');
      await expect(app.page.getByLabel('Visible high risk')).toBeChecked();
      await app.page.getByLabel('The client consents to the referral').check();
      await app.page.getByLabel('MARAC area').fill('Northshire East');
      await app.submit('Submit the referral');
      await expect(app.page.getByTestId('marac-document')).toBeVisible();
      const download = app.page.waitForEvent('download');
      await app.page.getByTestId('marac-document').click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/\.pdf$/);
    });

    await test.step('the caseload shows the case as high risk', async () => {
      await app.visit('/cases');
      const row = app.page.getByTestId('case-row').filter({ hasText: CLIENT });
      await expect(row.getByTestId('risk')).toHaveText('High risk');
    });
  });
});
