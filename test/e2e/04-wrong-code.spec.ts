import { expect, test } from './support/fixtures.ts';
import { wrongCode } from './support/totp.ts';

test('a wrong code is refused with an explanation, on the same page', async ({ app }) => {
  await app.enterPassphrase('administrator');
  const codeField = app.page.getByLabel('Enter the code from your authenticator app');

  await app.enterCode(wrongCode('administrator'));
  await expect(app.page).toHaveURL(app.url('/sign-in/code'));
  await expect(app.page).toHaveTitle(/^Error: /);
  await expect(app.heading).toHaveText('Enter the code from your authenticator app');
  await expect(app.errorSummary).toContainText('The code is not correct or has been used');
  await expect(codeField).toHaveAccessibleDescription(/The code is not correct or has been used/);
  await expect(app.page.getByTestId('signed-in-as')).toHaveCount(0);

  await test.step('something that is not a code is explained too', async () => {
    await app.enterCode('12ab');
    await expect(app.page).toHaveURL(app.url('/sign-in/code'));
    await expect(app.errorSummary).toContainText('Enter the 6-digit code from your authenticator app');
  });

  await test.step('the person can give up and sign out', async () => {
    await app.submit('Cancel and sign out');
    await expect(app.page).toHaveURL(app.url('/sign-in?signed-out=yes'));
    await app.visit('/');
    await expect(app.page).toHaveURL(app.url('/sign-in'));
  });
});
