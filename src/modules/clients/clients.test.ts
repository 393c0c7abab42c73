import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { givenCase, givenReferral } from '../../../test/support/referrals.ts';
import { ukDate } from '../../platform/clock.ts';
import { ageBand } from './client-view.ts';

const errorSummary = (body: string) =>
  [...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/>([^<>]+)<\/a>/g)].map(
    (match) => match[1]!.trim(),
  );

/** The part of a page inside the element with this data-qa, roughly: enough to say what a card shows. */
const section = (body: string, qa: string) =>
  body.split(`data-qa="${qa}"`)[1]?.split('data-qa="client-')[0] ?? '';

/** Every value of a database row as text, bytes included, to look for anything stored in clear. */
const dump = (row: Record<string, unknown>) =>
  Object.values(row)
    .map((value) =>
      Buffer.isBuffer(value)
        ? value.toString('latin1')
        : Array.isArray(value)
          ? value
              .map((item: unknown) => (Buffer.isBuffer(item) ? item.toString('latin1') : String(item)))
              .join()
          : JSON.stringify(value),
    )
    .join('\n');

describe('Client record', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;
  let police: StaffCredentials;
  let auditor: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
    police = await givenStaff(test, admin.organisationId, 'police_liaison');
    auditor = await givenStaff(test, admin.organisationId, 'auditor');
  });
  after(async () => test.close());

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  async function detailsRow(caseId: string) {
    return test.database.ownerDb
      .selectFrom('client_details')
      .innerJoin('cases', (join) =>
        join
          .onRef('cases.organisation_id', '=', 'client_details.organisation_id')
          .onRef('cases.client_id', '=', 'client_details.client_id'),
      )
      .selectAll('client_details')
      .where('cases.case_id', '=', caseId)
      .executeTakeFirstOrThrow();
  }

  async function clientEvents(caseId: string) {
    const { reference } = await test.database.ownerDb
      .selectFrom('cases')
      .select('reference')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    return test.database.ownerDb
      .selectFrom('audit_events')
      .select(['action', 'actor_user_id', 'details'])
      .where('record_id', '=', reference)
      .where('action', 'like', 'client.%')
      .orderBy('seq')
      .execute();
  }

  it('shows every part of the record on the case page, each with a way to change it', async () => {
    const { caseId } = await givenCase(test, manager, {
      holder: casey,
      answers: { language: 'Polish', interpreterNeeded: true, accessibilityNeeds: 'Large print, please' },
    });
    const browser = await signedIn(casey);
    const page = await browser.get(`/cases/${caseId}`);
    assert.equal(page.statusCode, 200);
    assert.match(section(page.body, 'client-other-names'), /None recorded/);
    assert.match(
      section(page.body, 'client-other-names'),
      new RegExp(`href="/cases/${caseId}/client/other-names"`),
    );
    assert.match(section(page.body, 'client-address'), /Not recorded/);
    assert.match(section(page.body, 'client-address'), /data-qa="add-address"/);
    const needs = section(page.body, 'client-support-needs');
    assert.match(needs, /Polish/, 'the referral’s language is carried over');
    assert.match(needs, /Needed/);
    assert.match(needs, /Large print, please/);
    assert.match(section(page.body, 'client-dependants'), /None recorded/);
    const equality = section(page.body, 'client-equality');
    assert.match(equality, /Not asked/);
    assert.match(equality, new RegExp(ageBand('1990-04-12', null, ukDate(test.clock.now()))));
  });

  it('saves other names, and search and the duplicate check find the client by any of them', async () => {
    const { caseId } = await givenCase(test, manager, {
      holder: casey,
      answers: { personName: 'Harriet Quill' },
    });
    const browser = await signedIn(casey);
    const form = await browser.get(`/cases/${caseId}/client/other-names`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<title>Other names &ndash; /);

    const tooMany = Array.from({ length: 21 }, (_, index) => `Name Number ${index}`).join('\n');
    const refused = await browser.post(`/cases/${caseId}/client/other-names`, { aliases: tooMany });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /<title>Error: Other names &ndash; /);
    assert.deepEqual(errorSummary(refused.body), ['Enter 20 names or fewer']);
    assert.match(refused.body, /Name Number 20/, 'what was typed is kept');

    const saved = await browser.post(`/cases/${caseId}/client/other-names`, {
      aliases: 'Hattie Penrose\r\nHarriet Penrose\r\n  hattie   penrose ',
    });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `/cases/${caseId}?done=client-other_names#client-record`);
    const page = await browser.get(`/cases/${caseId}?done=client-other_names`);
    assert.match(page.body, /Other names saved/);
    const names = section(page.body, 'client-other-names');
    assert.match(names, /Hattie Penrose\s+Harriet Penrose/);
    assert.doesNotMatch(names, /hattie {3}penrose/, 'the same name is kept once');

    const row = await detailsRow(caseId);
    assert.equal(row.alias_indexes.length, 2);
    assert.equal(dump(row).includes('Penrose'), false, 'other names are not stored in clear');

    const search = await browser.get('/search');
    assert.equal(search.statusCode, 200);
    const found = await browser.post('/search', { q: 'HARRIET  penrose' });
    assert.match(found.body, /Harriet Quill/);
    assert.match(found.body, /Other name/);

    const { referralId } = await givenReferral(test, manager.organisationId, {
      personName: 'Harriet Penrose',
      phone: '07700 900999',
      email: 'someone.new@example.org',
      personDateOfBirth: '1975-01-01',
    });
    const triage = await signedIn(manager);
    const referral = await triage.get(`/referrals/${referralId}`);
    const duplicates = referral.body.split('data-qa="possible-duplicates"')[1] ?? '';
    assert.match(duplicates, /Harriet Quill/);
    assert.match(duplicates, /Known by this name/);
  });

  it('keeps the address off the case page until someone chooses to see it, and records each showing', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const empty = await browser.get(`/cases/${caseId}/client/address/change`);
    assert.equal(empty.statusCode, 200);
    assert.doesNotMatch(empty.body, /data-qa="remove-address"/);

    const wrong = await browser.post(`/cases/${caseId}/client/address/change`, {
      line1: '',
      line2: 'Flat 2',
      town: '',
      postcode: 'not a postcode',
    });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(errorSummary(wrong.body), [
      'Enter address line 1, typically the building and street',
      'Enter town or city',
      'Enter a real postcode, like AA1 1AA',
      'Select yes if it is safe to send letters to this address',
    ]);
    assert.match(wrong.body, /value="Flat 2"/);
    assert.match(wrong.body, /value="not a postcode"/);

    const saved = await browser.post(`/cases/${caseId}/client/address/change`, {
      line1: '27 Larkspur Crescent',
      line2: '',
      town: 'Northtown',
      county: '',
      postcode: 'nt49zz',
      lettersSafe: 'no',
    });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `/cases/${caseId}?done=client-address#client-record`);

    const before = (await clientEvents(caseId)).filter((event) => event.action === 'client.address_viewed');
    const page = await browser.get(`/cases/${caseId}`);
    assert.doesNotMatch(page.body, /Larkspur|NT4 9ZZ|Northtown/, 'the case page does not show the address');
    assert.match(section(page.body, 'client-address'), /Recorded/);
    assert.match(page.body, new RegExp(`href="/cases/${caseId}/client/address"[^>]*data-qa="show-address"`));
    const unchanged = (await clientEvents(caseId)).filter(
      (event) => event.action === 'client.address_viewed',
    );
    assert.equal(unchanged.length, before.length, 'opening the case does not count as seeing the address');

    const shown = await browser.get(`/cases/${caseId}/client/address`);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /<title>Client’s address &ndash; /);
    assert.match(shown.body, /27 Larkspur Crescent<br>Northtown<br>NT4 9ZZ/);
    assert.match(shown.body, /Do not send letters to this address/);
    const after = (await clientEvents(caseId)).filter((event) => event.action === 'client.address_viewed');
    assert.equal(after.length, before.length + 1);
    assert.deepEqual(after.at(-1), {
      action: 'client.address_viewed',
      actor_user_id: casey.userId,
      details: { purpose: 'show' },
    });

    const row = await detailsRow(caseId);
    assert.ok(row.address_sealed);
    assert.equal(dump(row).includes('Larkspur'), false, 'the address is not stored in clear');
    assert.equal(dump(row).includes('NT4 9ZZ'), false);

    const changeForm = await browser.get(`/cases/${caseId}/client/address/change`);
    assert.match(changeForm.body, /value="27 Larkspur Crescent"/);
    assert.match(changeForm.body, /value="no" checked/);
    const removed = await browser.post(`/cases/${caseId}/client/address/change`, {
      line1: '27 Larkspur Crescent',
      town: 'Northtown',
      postcode: 'NT4 9ZZ',
      lettersSafe: 'no',
      remove: 'yes',
    });
    assert.equal(removed.statusCode, 303);
    assert.equal(removed.headers.location, `/cases/${caseId}?done=client-address-removed#client-record`);
    assert.match(section((await browser.get(`/cases/${caseId}`)).body, 'client-address'), /Not recorded/);
    assert.equal((await detailsRow(caseId)).address_sealed, null);

    const events = await clientEvents(caseId);
    const updates = events.filter((event) => event.action === 'client.updated');
    assert.deepEqual(
      updates.map((event) => event.details),
      [
        { section: 'address', change: 'recorded' },
        { section: 'address', change: 'removed' },
      ],
    );
    assert.equal(
      JSON.stringify(events).match(/Larkspur|Northtown|NT4/),
      null,
      'no address in the audit trail',
    );
  });

  it('lets managers see an address, but never police liaison, auditors or another caseworker', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const holder = await signedIn(casey);
    await holder.post(`/cases/${caseId}/client/address/change`, {
      line1: '3 Ferry Lane',
      town: 'Southport',
      lettersSafe: 'yes',
    });
    const managing = await signedIn(manager);
    const seen = await managing.get(`/cases/${caseId}/client/address`);
    assert.equal(seen.statusCode, 200);
    assert.match(seen.body, /3 Ferry Lane/);
    assert.match(seen.body, /safe to send letters/);

    for (const user of [police, auditor, robin]) {
      const browser = await signedIn(user);
      for (const url of [`/cases/${caseId}/client/address`, `/cases/${caseId}/client/address/change`]) {
        const response = await browser.get(url);
        assert.equal(response.statusCode, 403, `${user.role} ${url}`);
        assert.doesNotMatch(response.body, /Ferry Lane/);
      }
      const posted = await browser.post(`/cases/${caseId}/client/address/change`, {
        line1: '1 Elsewhere',
        town: 'Nowhere',
        lettersSafe: 'yes',
      });
      assert.equal(posted.statusCode, 403, user.role);
    }
    const events = await clientEvents(caseId);
    assert.deepEqual(
      events.filter((event) => event.action === 'client.address_viewed').map((event) => event.actor_user_id),
      [manager.userId],
      'refused attempts show nothing and so record no showing',
    );
  });

  it('records equality monitoring: every question optional, each with Prefer not to say, sealed', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const form = await browser.get(`/cases/${caseId}/client/equality`);
    assert.equal(form.statusCode, 200);
    assert.equal(form.body.match(/Prefer not to say/g)?.length, 5);
    assert.match(form.body, /Black, Black British, Black Welsh, Caribbean or African/);

    const altered = await browser.post(`/cases/${caseId}/client/equality`, {
      ethnicity: 'martian',
      religionDescription: 'ignored unless Another religion is chosen',
    });
    assert.equal(altered.statusCode, 400);
    assert.deepEqual(errorSummary(altered.body), ['Select an ethnic group from the list']);

    const long = await browser.post(`/cases/${caseId}/client/equality`, {
      religion: 'other',
      religionDescription: 'x'.repeat(101),
    });
    assert.equal(long.statusCode, 400);
    assert.deepEqual(errorSummary(long.body), ['Religion must be 100 characters or fewer']);
    assert.match(long.body, /value="other" checked/);

    assert.equal((await browser.post(`/cases/${caseId}/client/equality`, {})).statusCode, 303);
    const emptyLength = (await detailsRow(caseId)).equality_sealed!.length;
    assert.match(section((await browser.get(`/cases/${caseId}`)).body, 'client-equality'), /Not asked/);

    const saved = await browser.post(`/cases/${caseId}/client/equality`, {
      ethnicity: 'other',
      ethnicityDescription: 'Roma',
      disability: 'prefer_not_to_say',
      sexualOrientation: 'bisexual',
      religion: 'other',
      religionDescription: 'Pagan',
      genderSameAsBirth: 'no',
      genderIdentity: 'Agender',
    });
    assert.equal(saved.statusCode, 303);
    const card = section((await browser.get(`/cases/${caseId}`)).body, 'client-equality');
    assert.match(card, /Another ethnic group: Roma/);
    assert.match(card, /Prefer not to say/);
    assert.match(card, /Bisexual/);
    assert.match(card, /Another religion: Pagan/);
    assert.match(card, /No: Agender/);

    const row = await detailsRow(caseId);
    for (const secret of ['Roma', 'bisexual', 'Pagan', 'Agender', 'prefer_not_to_say'])
      assert.equal(dump(row).includes(secret), false, `${secret} is stored in clear`);
    assert.equal(row.equality_sealed!.length, emptyLength, 'padding hides how much was answered');

    const again = await browser.get(`/cases/${caseId}/client/equality`);
    assert.match(again.body, /value="Roma"/);
    assert.match(again.body, /value="bisexual" checked/);
  });

  it('starts support needs from the referral’s answers and saves changes to them', async () => {
    const { caseId } = await givenCase(test, manager, {
      holder: casey,
      answers: { language: 'Tigrinya', interpreterNeeded: true, accessibilityNeeds: 'Needs more time' },
    });
    const browser = await signedIn(casey);
    const form = await browser.get(`/cases/${caseId}/client/support-needs`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /value="Tigrinya"/);
    assert.match(form.body, /value="yes" checked/);
    assert.match(form.body, /Needs more time/);

    const wrong = await browser.post(`/cases/${caseId}/client/support-needs`, {
      language: '',
      interpreterNeeded: 'yes',
      needs: ['housing', 'immigration'],
      details: 'Sofa surfing with a friend',
    });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(errorSummary(wrong.body), ['Enter the language the client needs an interpreter for']);
    assert.match(wrong.body, /value="housing" checked/);
    assert.match(wrong.body, /value="immigration" checked/);
    assert.match(wrong.body, /Sofa surfing with a friend/);

    const saved = await browser.post(`/cases/${caseId}/client/support-needs`, {
      language: 'Tigrinya',
      interpreterNeeded: 'yes',
      accessibilityNeeds: 'Short sessions',
      needs: ['housing', 'immigration'],
      details: 'Sofa surfing with a friend',
    });
    assert.equal(saved.statusCode, 303);
    const page = await browser.get(`/cases/${caseId}`);
    const card = section(page.body, 'client-support-needs');
    assert.match(card, /Housing\s+Worried about their immigration status/);
    assert.match(card, /Sofa surfing with a friend/);
    assert.match(card, /Short sessions/);
    assert.match(section(page.body, 'safe-contact'), /Short sessions/, 'the safe-contact summary agrees');

    const row = await detailsRow(caseId);
    assert.equal(dump(row).includes('Sofa surfing'), false);
    assert.equal(dump(row).includes('immigration'), false);
    const client = await test.database.ownerDb
      .selectFrom('clients')
      .innerJoin('cases', 'cases.client_id', 'clients.client_id')
      .selectAll('clients')
      .where('cases.case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    assert.equal(dump(client).includes('Short sessions'), false);
  });

  it('adds children and dependants once per form, and removes them without losing the record', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const form = await browser.get(`/cases/${caseId}/client/dependants/new`);
    assert.equal(form.statusCode, 200);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(form.body)![1]!;

    const missing = await browser.post(`/cases/${caseId}/client/dependants/new`, { submissionId });
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(errorSummary(missing.body), [
      'Enter their first name or initials',
      'Enter their year of birth or their age',
      'Select yes if they live with the client',
    ]);
    assert.match(missing.body, new RegExp(`value="${submissionId}"`), 'the form keeps its submission id');

    const year = Number(ukDate(test.clock.now()).slice(0, 4));
    const child = {
      submissionId,
      name: 'A.B.',
      yearOfBirth: String(year - 10),
      age: '',
      livesWithClient: 'yes',
      notes: 'Year 5 at Hillside Primary',
    };
    assert.equal((await browser.post(`/cases/${caseId}/client/dependants/new`, child)).statusCode, 303);
    const twice = await browser.post(`/cases/${caseId}/client/dependants/new`, child);
    assert.equal(twice.statusCode, 303, 'sending the same form again changes nothing');
    const second = await browser.get(`/cases/${caseId}/client/dependants/new`);
    const secondId = /name="submissionId" value="([^"]+)"/.exec(second.body)![1]!;
    assert.notEqual(secondId, submissionId);
    await browser.post(`/cases/${caseId}/client/dependants/new`, {
      submissionId: secondId,
      name: 'Mo',
      age: '4',
      livesWithClient: 'no',
    });

    const page = await browser.get(`/cases/${caseId}`);
    const card = section(page.body, 'client-dependants');
    assert.equal(card.match(/data-qa="dependant"/g)?.length, 2);
    assert.match(
      card,
      new RegExp(`A\\.B\\.[\\s\\S]*Born in ${year - 10} \\(age 9 or 10\\)[\\s\\S]*Hillside Primary`),
    );
    assert.match(card, /Mo[\s\S]*About 4/);

    const rows = await test.database.ownerDb
      .selectFrom('client_dependants')
      .selectAll()
      .where('dependant_id', 'in', [submissionId, secondId])
      .execute();
    assert.equal(rows.length, 2);
    assert.equal(
      rows
        .map(dump)
        .join()
        .match(/Hillside|A\.B\.|"Mo"/),
      null,
      'dependants are not stored in clear',
    );

    const removed = await browser.post(`/cases/${caseId}/client/dependants/${submissionId}/remove`);
    assert.equal(removed.statusCode, 303);
    assert.equal(removed.headers.location, `/cases/${caseId}?done=client-dependant-removed#client-record`);
    const after = section((await browser.get(`/cases/${caseId}`)).body, 'client-dependants');
    assert.doesNotMatch(after, /A\.B\./);
    assert.match(after, /Mo/);
    const kept = await test.database.ownerDb
      .selectFrom('client_dependants')
      .select(['removed_at', 'removed_by'])
      .where('dependant_id', '=', submissionId)
      .executeTakeFirstOrThrow();
    assert.ok(kept.removed_at);
    assert.equal(kept.removed_by, casey.userId);
    assert.equal(
      (await browser.post(`/cases/${caseId}/client/dependants/${submissionId}/remove`)).statusCode,
      404,
      'a dependant already removed cannot be removed again',
    );

    const updates = (await clientEvents(caseId)).filter((event) => event.action === 'client.updated');
    assert.deepEqual(
      updates.map((event) => event.details),
      [
        { section: 'dependants', change: 'added' },
        { section: 'dependants', change: 'added' },
        { section: 'dependants', change: 'removed' },
      ],
    );
  });

  it('refuses the record to anyone who may not open the case, and changes nothing for them', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const holder = await signedIn(casey);
    await holder.get(`/cases/${caseId}/client/dependants/new`);
    const form = await holder.get(`/cases/${caseId}/client/dependants/new`);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(form.body)![1]!;
    await holder.post(`/cases/${caseId}/client/dependants/new`, {
      submissionId,
      name: 'C',
      yearOfBirth: '2012',
      livesWithClient: 'yes',
    });
    const pages = ['other-names', 'equality', 'support-needs', 'dependants/new'].map(
      (part) => `/cases/${caseId}/client/${part}`,
    );
    const before = await clientEvents(caseId);
    for (const user of [robin, police, auditor]) {
      const browser = await signedIn(user);
      for (const url of pages) {
        assert.equal((await browser.get(url)).statusCode, 403, `${user.role} GET ${url}`);
        assert.equal((await browser.post(url, {})).statusCode, 403, `${user.role} POST ${url}`);
      }
      const remove = await browser.post(`/cases/${caseId}/client/dependants/${submissionId}/remove`);
      assert.equal(remove.statusCode, 403, user.role);
    }
    assert.deepEqual(await clientEvents(caseId), before);
    const managing = await signedIn(manager);
    for (const url of pages) assert.equal((await managing.get(url)).statusCode, 200, `manager ${url}`);
  });

  it('audits every change and every form opened by section alone, never what the record says', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    await browser.get(`/cases/${caseId}/client/other-names`);
    await browser.post(`/cases/${caseId}/client/other-names`, { aliases: 'Quentin Marsh' });
    await browser.get(`/cases/${caseId}/client/support-needs`);
    await browser.post(`/cases/${caseId}/client/support-needs`, {
      interpreterNeeded: 'no',
      needs: 'mental_health',
      details: 'Anxiety since the incidents began',
    });
    await browser.post(`/cases/${caseId}/client/equality`, { religion: 'jewish' });
    const events = await clientEvents(caseId);
    assert.deepEqual(
      events.map((event) => [event.action, event.details]),
      [
        ['client.viewed', { section: 'other_names' }],
        ['client.updated', { section: 'other_names' }],
        ['client.viewed', { section: 'support_needs' }],
        ['client.updated', { section: 'support_needs' }],
        ['client.updated', { section: 'equality' }],
      ],
    );
    assert.ok(events.every((event) => event.actor_user_id === casey.userId));
  });

  it('refuses a form carrying fields it does not have', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    await browser.get(`/cases/${caseId}/client/other-names`);
    const response = await browser.post(`/cases/${caseId}/client/other-names`, {
      aliases: 'Someone',
      isAdmin: 'yes',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(
      (await detailsRow(caseId).catch(() => null))?.aliases_sealed ?? null,
      null,
      'nothing was saved',
    );
  });
});
