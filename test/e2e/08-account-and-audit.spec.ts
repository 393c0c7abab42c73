// The administrator's other pages, reached from the navigation, so that they are checked by axe-core too.
import { expect, test } from './support/fixtures.ts';

test('the administrator can see their sessions and the audit trail', async ({ signedInAs }) => {
  const admin = await signedInAs('administrator');

  await admin.follow(admin.navigationLink('Your account'));
  await expect(admin.heading).toHaveText('Your account');
  await expect(admin.page.getByTestId('session-row')).not.toHaveCount(0);

  await admin.follow(admin.navigationLink('Audit trail'));
  await expect(admin.heading).toHaveText('Audit trail');
  await expect(admin.page.getByTestId('audit-row')).not.toHaveCount(0);
});
