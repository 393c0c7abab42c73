import { expect, test } from './support/fixtures.ts';
import { ADMINISTRATOR, SERVICE_NAME } from './support/people.ts';
import { rememberPerson, serverState, storageStateFile } from './support/run-state.ts';

test.describe('First-run setup', () => {
  test('creates the organisation and its first administrator, who sets up an authenticator app', async ({
    app,
  }) => {
    const { page } = app;
    await app.visit(serverState().setupLink);
    await expect(app.heading).toHaveText('Set up Vigil');

    await test.step('an empty form is explained in the error summary', async () => {
      await app.submit('Create organisation');
      await expect(page).toHaveTitle(/^Error: /);
      await expect(app.errorSummary).toBeVisible();
      for (const message of [
        'Enter the name of your service',
        'Enter the full name',
        'Enter an email address',
        'Enter a passphrase',
      ]) {
        await expect(app.errorSummary.getByRole('link', { name: message })).toBeVisible();
      }
      await expect(page.getByLabel('Name of your service')).toHaveAccessibleDescription(
        /Enter the name of your service/,
      );
    });

    await test.step('what was typed is kept when the form comes back with errors', async () => {
      await page.getByLabel('Name of your service').fill(SERVICE_NAME);
      await page.getByLabel('Full name').fill(ADMINISTRATOR.name);
      await page.getByLabel('Email address').fill('priya.raman.northshire');
      await app.submit('Create organisation');
      await expect(app.errorSummary).toBeVisible();
      await expect(app.errorSummary.getByRole('link')).toHaveText([
        'Enter an email address in the correct format, like name@example.org',
        'Enter a passphrase',
        'Confirm your passphrase',
      ]);
      await expect(page.getByLabel('Name of your service')).toHaveValue(SERVICE_NAME);
      await expect(page.getByLabel('Full name')).toHaveValue(ADMINISTRATOR.name);
      await expect(page.getByLabel('Email address')).toHaveValue('priya.raman.northshire');
      await expect(page.getByLabel('Passphrase', { exact: true })).toHaveValue('');
    });

    await test.step('a complete form leads to setting up the authenticator app', async () => {
      await page.getByLabel('Email address').fill(ADMINISTRATOR.email);
      await app.choosePassphrase(ADMINISTRATOR.passphrase);
      await app.submit('Create organisation');
      rememberPerson('administrator', ADMINISTRATOR);
      await app.enrolAuthenticator('administrator');
    });

    await test.step('the administrator lands on the home page, signed in', async () => {
      await app.expectHome(SERVICE_NAME, 'administrator', 'Administrator');
      expect(await app.navigationLinks()).toEqual([
        'Home',
        'Staff',
        'Audit trail',
        'Settings',
        'Your account',
      ]);
      await page.context().storageState({ path: storageStateFile('administrator') });
    });
  });

  test('the setup link works only once', async ({ app }) => {
    const response = await app.visit(serverState().setupLink);
    expect(response?.status()).toBe(404);
    await expect(app.heading).toHaveText('Page not found');
  });
});
