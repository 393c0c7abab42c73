import { expect, test } from './support/fixtures.ts';
import { ReferralForm, referralFormPath } from './support/referral.ts';
import { VigilPage } from './support/vigil-page.ts';

const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const NAME = 'Jane Quillfeather';

test.describe('The public referral form', () => {
  // Each journey takes at least 20 seconds: the service refuses forms sent faster than a person could.
  test.setTimeout(120_000);

  test('a person being stalked refers themself, correcting mistakes on the way', async ({
    app,
    signedInAs,
  }) => {
    const form = new ReferralForm(app, await referralFormPath(() => signedInAs('administrator')));
    const main = app.page.getByRole('main');

    await test.step('the start page says what the form is for and how to get help now', async () => {
      await form.open();
      await expect(main).toContainText('being stalked or harassed');
      await expect(main).toContainText('about 10 minutes');
      await expect(main).toContainText('call 999');
      await expect(main).toContainText('0808 802 0300');
      await expect(main).toContainText('We keep your answers for 24 hours');
      await expect(app.page.getByTestId('exit-this-page')).toBeVisible();
      await form.startNow();
    });

    await test.step('a page sent empty says what is missing', async () => {
      await form.continue();
      await form.expectErrors('Select who this form is for');
      await form.who('self');
      await form.expectQuestion('Are you in immediate danger?');
      await form.danger('Are you in immediate danger?', false);
    });

    await test.step('an impossible date of birth is refused, keeping what was typed', async () => {
      await form.expectQuestion('About you');
      await app.page.getByLabel('Full name').fill(NAME);
      await form.fillDateOfBirth('31', '2', '1990');
      await form.continue();
      await form.expectErrors('Date of birth must be a real date');
      await expect(app.page.getByLabel('Full name')).toHaveValue(NAME);
      await expect(form.group('Date of birth').getByLabel('Day')).toHaveValue('31');
      await form.fillDateOfBirth('27', '3', '1990');
    });

    await test.step('choosing to self-describe reveals a box for it, which must then be filled in', async () => {
      const description = app.page.getByLabel('How do you describe your gender?');
      await expect(description).toBeHidden();
      await form.radio('What is your gender? (optional)', 'Prefer to self-describe');
      await expect(description).toBeVisible();
      await form.continue();
      await form.expectErrors('Enter how you describe your gender');
      await expect(description).toBeVisible();
      await description.fill('Words that will not be kept');
      await form.radio('What is your gender? (optional)', 'Woman');
      await expect(description).toBeHidden();
      await form.continue();
    });

    await test.step('the rest of the questions', async () => {
      await form.expectQuestion('How can we contact you safely?');
      await form.contact({
        phone: '07700 900982',
        phoneSafe: true,
        voicemail: false,
        saySomething: false,
        codeWord: 'bluebell',
      });
      await form.expectQuestion('Language and access needs');
      await expect(app.page.getByLabel('What language would you like us to use?')).toHaveValue('English');
      await form.language('Do you need an interpreter?', false);
      await form.expectQuestion('What has been happening?');
      await form.what(
        'What has the person been doing to you?',
        ['Following them', 'Repeated messages or calls'],
        'He waits outside my work every evening.',
        '1 to 6 months',
      );
      await form.expectQuestion('Do you know who is doing this?');
      await expect(form.group('Who are they to you?')).toBeHidden();
      await form.perpetrator('Do you know who is doing this?', true, {
        legend: 'Who are they to you?',
        answer: 'An ex-partner',
      });
      await form.expectQuestion('Have the police been told?');
      const crimeReference = app.page.getByLabel('Crime reference number, if you have one (optional)');
      await expect(crimeReference).toBeHidden();
      await form.radio('Have the police been told?', 'Yes');
      await expect(crimeReference).toBeVisible();
      await form.police('No');
      await form.expectQuestion('Are there children in the household?');
      await form.children('No');
    });

    await test.step('the answers can be checked and changed', async () => {
      await expect(app.heading).toHaveText('Check your answers before sending the form');
      await expect(form.answer('Full name')).toContainText(NAME);
      await expect(form.answer('Date of birth')).toContainText('27 March 1990');
      await expect(form.answer('Gender')).toContainText('Woman');
      await expect(form.answer('What they have done')).toContainText('Repeated messages or calls');
      await app.follow(form.answer('Police told').getByRole('link', { name: 'Change police told' }));
      await form.expectQuestion('Have the police been told?');
      await expect(app.page.getByRole('link', { name: 'Back' })).toHaveAttribute(
        'href',
        `${form.path}/check`,
      );
      await form.police('Not sure');
      await expect(app.heading).toHaveText('Check your answers before sending the form');
      await expect(form.answer('Police told')).toContainText('Not sure');
    });

    await test.step('sending shows the reference once, and leaves nothing in the browser', async () => {
      const reference = await form.send();
      await expect(app.page.getByTestId('next')).toHaveText(
        'A caseworker will contact you within 2 working days, using only the contact details you said are safe.',
      );
      await expect(main).toContainText('0808 802 0300');
      await expect(app.page.getByTestId('exit-this-page')).toBeVisible();
      await form.expectNothingStored();

      await app.visit(app.page.url());
      await expect(app.heading).toHaveText('Your referral has been sent');
      await expect(main).not.toContainText(reference);
    });

    form.expectNeutralTitles(NAME, 'Jane', 'Quillfeather');
  });

  test('a GP refers a patient in immediate danger, on a phone-sized screen', async ({
    newApp,
    signedInAs,
  }) => {
    const path = await referralFormPath(() => signedInAs('administrator'));
    const app = await newApp('phone', PHONE);
    const form = new ReferralForm(app, path, {
      afterEachPage: async () =>
        expect(await app.scrollWidth(), `width of ${app.page.url()}`).toBeLessThanOrEqual(375),
    });
    const warning = app.page.getByTestId('danger-warning');

    await form.open();
    await form.startNow();
    await form.who('professional');
    await form.expectQuestion('Your details');
    await form.referrer({
      name: 'Dr Asha Patel',
      role: 'GP',
      organisation: 'Northshire Health Centre',
      email: 'asha.patel@nhs.example.org',
    });

    await test.step('the referral needs the person to have agreed', async () => {
      await form.expectQuestion('Has the person agreed to this referral?');
      await form.continue();
      await form.expectErrors(
        'Confirm the person has agreed to this referral. If they have not, ask them first',
      );
      await expect(app.page.getByRole('main')).toContainText(
        'If they are in immediate danger, call 999 now.',
      );
      await form.consent();
    });

    await test.step('saying they are in danger shows how to call 999 on every later page', async () => {
      await form.expectQuestion('Is the person in immediate danger?');
      await expect(warning).toHaveCount(0);
      await form.danger('Is the person in immediate danger?', true);
      await form.expectQuestion('About the person');
      await expect(warning).toContainText('Call 999 now');
      await expect(warning).toContainText('call 999 and press 55');
    });

    await test.step('their age will do when their date of birth is not known', async () => {
      await app.page.getByLabel('Full name').fill('Robin Tallowmere');
      await app.page.getByRole('checkbox', { name: 'I do not know their date of birth' }).check();
      await app.page.getByLabel('Their age, or your best guess').fill('34');
      await form.continue();
    });

    await form.expectQuestion('How can we contact them safely?');
    await expect(warning).toBeVisible();
    await form.contact({ email: 'robin@example.org', emailSafe: true });
    await form.language('Do they need an interpreter?', true);
    await form.what('What has the person been doing to them?', ['Threats'], '', 'Less than a month');
    await form.perpetrator('Does the person know who is doing this?', false);
    await form.police('Yes');
    await form.children('Yes');

    await expect(app.heading).toHaveText('Check your answers before sending the form');
    await expect(warning).toBeVisible();
    await expect(form.answer('Age (or best guess)')).toContainText('34');
    await expect(form.answer('Your name')).toContainText('Dr Asha Patel');

    await form.send();
    await expect(app.page.getByTestId('urgent-next')).toHaveText(
      'Because you told us the person is in danger, we will try to contact them today. If they are in danger now, call 999.',
    );
    form.expectNeutralTitles('Robin', 'Tallowmere', 'Asha');
  });

  test('with JavaScript turned off, the form works, and pressing Send twice makes one referral', async ({
    newApp,
    signedInAs,
    playwright,
  }) => {
    const path = await referralFormPath(() => signedInAs('administrator'));
    // On every page, the page object also checks that GOV.UK Frontend's scripts did not run.
    const app = await newApp('no-JavaScript', { javaScriptEnabled: false });
    const form = new ReferralForm(app, path);

    await form.open();
    await form.startNow();
    await form.who('self');
    await form.danger('Are you in immediate danger?', false);
    await app.page.getByLabel('Full name').fill(NAME);
    await form.fillDateOfBirth('27', '3', '1990');

    await test.step('questions an answer would reveal are all shown, and kept only with that answer', async () => {
      // Typed, but "Prefer to self-describe" not chosen.
      await app.page.getByLabel('How do you describe your gender?').fill('Words that will not be kept');
      await form.continue();
      await form.contact({ email: 'jane@example.org', emailSafe: true });
      await form.language('Do you need an interpreter?', false);
      await form.what('What has the person been doing to you?', [], 'Messages every night.', 'Not sure');
      await expect(form.group('Who are they to you?')).toBeVisible();
      await app.page.getByLabel('Their name (optional)').fill('A name that will not be kept');
      await form.perpetrator('Do you know who is doing this?', false);
      await app.page.getByLabel('Crime reference number, if you have one (optional)').fill('41/99999/26');
      await form.police('No');
      await form.children('Prefer not to say');
      await expect(app.heading).toHaveText('Check your answers before sending the form');
      await expect(form.answer('Gender')).toContainText('Not given');
      await expect(form.answer('Known who is doing this')).toContainText('No');
      const main = app.page.getByRole('main');
      for (const discarded of ['Words that will not be kept', 'A name that will not be kept', '41/99999/26'])
        await expect(main).not.toContainText(discarded);
    });

    await test.step('a second press of Send shows the confirmation of the first, with its reference', async () => {
      await form.waitAsLongAsAPerson();
      // The first press reaches the service, but its answer never reaches the screen (a dropped connection,
      // say): the same request, with this browser's cookies, from outside it.
      const firstPress = await playwright.request.newContext({
        storageState: await app.page.context().storageState(),
      });
      const sent = await firstPress.post(app.url(`${path}/check`), {
        form: { _csrf: await app.page.locator('input[name="_csrf"]').inputValue() },
      });
      expect(sent.url()).toBe(app.url(`${path}/sent`));
      const firstReference = /data-qa="reference">([A-Z0-9]{4}-[A-Z0-9]{4})</.exec(await sent.text())?.[1];
      expect(firstReference, 'the first press was accepted').toBeTruthy();
      await firstPress.dispose();

      await app.submit('Send referral');
      expect(await form.expectSent(), 'the same referral, not a second one').toBe(firstReference);
      await form.expectNothingStored();
    });
  });

  test('someone with no safe phone or email can still send the form, and is told how to contact the service', async ({
    app,
    signedInAs,
  }) => {
    await test.step('an administrator sets the phone number and hours the form gives', async () => {
      const admin = await signedInAs('administrator');
      await admin.follow(admin.navigationLink('Settings'));
      await admin.page.getByLabel('Phone number for the public (optional)').fill('01632 960 001');
      await admin.page
        .getByLabel('When the phone is answered (optional)')
        .fill('Monday to Friday, 9am to 5pm');
      await admin.submit('Save settings');
      await expect(admin.page.getByTestId('settings-saved')).toBeVisible();
    });

    const form = new ReferralForm(app, await referralFormPath(() => signedInAs('administrator')));
    const none = app.page.getByRole('checkbox', { name: 'There is no safe way to contact me right now' });
    await form.open();
    await form.startNow();
    await form.who('self');
    await form.danger('Are you in immediate danger?', false);
    await app.page.getByLabel('Full name').fill('Tamsin Ardley');
    await form.fillDateOfBirth('2', '11', '1979');
    await form.continue();

    await test.step('saying so reveals how to contact the service instead', async () => {
      await form.expectQuestion('How can we contact you safely?');
      const contactUs = app.page.getByTestId('contact-us');
      await expect(contactUs).toBeHidden();
      await none.check();
      await expect(contactUs).toContainText('01632 960 001 (Monday to Friday, 9am to 5pm)');
    });

    await test.step('a phone number as well is a contradiction, explained', async () => {
      await app.page.getByLabel('Phone number').fill('07700 900461');
      await form.continue();
      await form.expectErrors(
        'Give a phone number or email address, or select that there is no safe way to contact you, not both',
      );
      await expect(none).toBeChecked();
      await app.page.getByLabel('Phone number').fill('');
      await app.page.getByLabel('Code word (optional)').fill('heron');
      await form.continue();
    });

    await form.language('Do you need an interpreter?', false);
    await form.what('What has the person been doing to you?', ['Watching or spying on them'], '', 'Not sure');
    await form.perpetrator('Do you know who is doing this?', false);
    await form.police('No');
    await form.children('No');
    await expect(form.answer('Safe way to contact')).toContainText(
      'There is no safe way to contact me right now',
    );
    await expect(app.page.getByTestId('what-happens')).toContainText('so we will not try to');

    await form.send();
    await expect(app.page.getByTestId('next')).toContainText('We will not try to contact you');
    await expect(app.page.getByTestId('service-phone')).toHaveText('01632 960 001');
    await expect(app.page.getByTestId('service-phone')).toHaveAttribute('href', 'tel:01632960001');
    form.expectNeutralTitles('Tamsin', 'Ardley');
  });

  test('an address under the form that does not exist shows a neutral public page, with Exit this page', async ({
    app,
    signedInAs,
  }) => {
    const path = await referralFormPath(() => signedInAs('administrator'));
    // A member of staff signed in on the same device sees the same public page: no staff navigation.
    const admin = await signedInAs('administrator');
    for (const tab of [app, admin]) {
      for (const address of ['/r/zz99zz99', `${path}/no-such-question`]) {
        const response = await tab.visit(address);
        expect(response?.status(), address).toBe(404);
        await expect(tab.page).toHaveTitle('Page not found – Online form');
        await expect(tab.heading).toHaveText('Page not found');
        await expect(tab.page.getByTestId('exit-this-page')).toBeVisible();
        await expect(tab.navigation).toHaveCount(0);
        await expect(tab.page.getByTestId('signed-in-as')).toHaveCount(0);
      }
    }
  });

  test('Exit this page in the middle of the form deletes the answers, and Back shows none of them', async ({
    browser,
    signedInAs,
  }) => {
    const path = await referralFormPath(() => signedInAs('administrator'));
    // A tab outside the fixture's guard, because the tests cannot check the site Exit this page leaves to
    // (with no internet, Chromium's own error page). Every Vigil page is still checked by axe.
    const context = await browser.newContext();
    const app = new VigilPage(await context.newPage(), 'exit');
    const form = new ReferralForm(app, path);
    const isVigil = (url: string) => url.startsWith(app.url('/'));
    const leave = async (action: () => Promise<void>) => {
      // Not waitForURL: with no internet, the navigation fails, and that is not what is being tested.
      const mainFrame = app.page.mainFrame();
      await Promise.all([
        app.page.waitForEvent('framenavigated', {
          predicate: (frame) => frame === mainFrame && !isVigil(frame.url()),
        }),
        action(),
      ]);
      await app.page.waitForLoadState('load');
      expect(app.page.url()).toMatch(/^(https:\/\/www\.bbc\.co\.uk\/weather|chrome-error:)/);
    };

    try {
      await form.open();
      await form.startNow();
      await form.who('self');
      await form.danger('Are you in immediate danger?', true);
      await form.expectQuestion('About you');
      await app.page.getByLabel('Full name').fill(NAME);

      await leave(() => app.page.getByTestId('exit-this-page').getByRole('button').click());
      expect(
        (await context.cookies()).map((cookie) => cookie.name),
        'the browser has no cookies from the site',
      ).toEqual([]);

      await app.page.goBack();
      await app.checkAccessibility();
      await expect(app.page).toHaveURL(app.url(path));
      await expect(app.heading).toHaveText('Ask for support');
      expect(await app.page.content()).not.toContain(NAME);

      await test.step('starting again starts from nothing', async () => {
        await expect(app.page.getByTestId('in-progress')).toHaveCount(0);
        await form.startNow();
        await expect(app.page.getByRole('radio', { checked: true })).toHaveCount(0);
      });

      await test.step('the Escape key leaves at once too', async () => {
        await leave(() => app.page.keyboard.press('Escape'));
        await app.page.goBack();
        await app.checkAccessibility();
        await expect(app.heading).toHaveText('Ask for support');
      });

      expect(app.pagesNotChecked().filter(isVigil), 'every Vigil page was checked by axe').toEqual([]);
    } finally {
      await app.close();
      await context.close();
    }
  });
});
