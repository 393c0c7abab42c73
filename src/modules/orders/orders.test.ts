import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { inOrganisation } from '../../db/database.ts';
import { DAY, ukDate } from '../../platform/clock.ts';
import { createMailer } from '../../platform/mail/mailer.ts';
import type { TestBrowser } from '../../../test/support/app.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { givenDiaryEntry } from '../../../test/support/diary.ts';
import { errorSummary, submissionIdIn } from '../../../test/support/forms.ts';
import { givenPerpetrator } from '../../../test/support/perpetrators.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { addDays } from './order-rules.ts';

/** The three boxes of a GOV.UK date input for a YYYY-MM-DD date. */
function date(prefix: string, iso: string): Record<string, string> {
  const [year, month, day] = iso.split('-');
  return {
    [`${prefix}-day`]: String(Number(day)),
    [`${prefix}-month`]: String(Number(month)),
    [`${prefix}-year`]: year!,
  };
}

describe('Protection orders and breaches through the app', () => {
  let test: TestApp;
  let server: SMTPServer;
  const received: ParsedMail[] = [];
  let admin: StaffCredentials;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;

  before(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    const { port } = server.server.address() as AddressInfo;
    test = await buildTestApp({
      mailer: createMailer(`smtp://127.0.0.1:${port}`, 'Vigil <no-reply@example.org>'),
    });
    admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
  });
  after(async () => {
    await test.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  const today = () => ukDate(test.clock.now());
  const inOrg = <T>(work: Parameters<typeof inOrganisation<T>>[2]) =>
    inOrganisation(test.database.db, admin.organisationId, work);

  async function recordOrder(browser: TestBrowser, caseId: string, form: Record<string, string>) {
    const page = await browser.get(`/cases/${caseId}/orders/new`);
    assert.equal(page.statusCode, 200);
    const submissionId = submissionIdIn(page.body, 'order-form');
    const response = await browser.post(`/cases/${caseId}/orders`, { submissionId, ...form });
    return { response, submissionId };
  }

  async function orderTasks(caseId: string) {
    return inOrg((trx) =>
      trx
        .selectFrom('tasks')
        .select(['title', 'due_on', 'completed_at', 'purpose'])
        .where('case_id', '=', caseId)
        .where('purpose', 'in', ['order_reminder', 'risk_review'])
        .orderBy('due_on')
        .execute(),
    );
  }

  /** A case held by Casey with a person responsible, and an interim SPO made 40 days ago, recorded through the form. */
  async function givenCaseWithInterimSpo() {
    const kase = await givenCase(test, manager, { holder: casey });
    const perpetratorId = await givenPerpetrator(test, casey, kase.caseId, { name: 'Darren Quell' });
    const browser = await signedIn(casey);
    const made = addDays(today(), -40);
    const { response } = await recordOrder(browser, kase.caseId, {
      type: 'spo',
      perpetratorId,
      status: 'interim_in_force',
      duration: 'fixed',
      applicant: 'Northshire Police',
      court: 'Northtown Magistrates’ Court',
      courtReference: 'NM/2026/0412',
      ...date('appliedOn', addDays(made, -2)),
      ...date('interimMadeOn', made),
      ...date('expiresOn', addDays(today(), 30)),
    });
    assert.equal(response.statusCode, 303, 'recorded');
    const orderId = /\/orders\/([0-9a-f-]{36})\?done=recorded$/.exec(
      response.headers.location as string,
    )?.[1];
    assert.ok(orderId);
    return { ...kase, perpetratorId, browser, orderId, made };
  }

  it('records an interim SPO, then the full order, refusing one shorter than 2 years and moves that are not allowed', async () => {
    const { caseId, browser, orderId, made } = await givenCaseWithInterimSpo();
    const page = await browser.get(`/cases/${caseId}/orders/${orderId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-qa="order-status">Interim order in force/);
    assert.match(page.body, /In force today/);
    assert.match(page.body, /Darren Quell/);
    assert.match(page.body, /NM\/2026\/0412/);
    assert.equal(
      (await orderTasks(caseId)).filter((task) => task.purpose === 'order_reminder').length,
      1,
      'interim ending',
    );

    const fullMade = today();
    const tooShort = await browser.post(`/cases/${caseId}/orders/${orderId}/status`, {
      from: 'interim_in_force',
      to: 'full_in_force',
      duration: 'fixed',
      ...date('interimMadeOn', made),
      ...date('madeOn', fullMade),
      ...date('expiresOn', addDays(fullMade, 365)),
      note: 'Full order made at the hearing',
    });
    assert.equal(tooShort.statusCode, 400);
    assert.match(
      errorSummary(tooShort.body)[0]!,
      /^A full Stalking Protection Order lasts at least 2 years, or until further order: it cannot end before /,
    );
    assert.match(tooShort.body, /Full order made at the hearing/, 'what was typed is kept');

    const served = addDays(fullMade, 1 - 1);
    const full = await browser.post(`/cases/${caseId}/orders/${orderId}/status`, {
      from: 'interim_in_force',
      to: 'full_in_force',
      duration: 'fixed',
      ...date('interimMadeOn', made),
      ...date('madeOn', fullMade),
      ...date('servedOn', served),
      ...date('expiresOn', addDays(fullMade, 3 * 365)),
      note: 'Full order made at the hearing',
    });
    assert.equal(full.statusCode, 303);

    const stale = await browser.post(`/cases/${caseId}/orders/${orderId}/status`, {
      from: 'interim_in_force',
      to: 'refused',
      ...date('endedOn', fullMade),
    });
    assert.deepEqual(errorSummary(stale.body), [
      'Someone changed this order since you opened it: check where it stands now, then choose again',
    ]);
    const illegal = await browser.post(`/cases/${caseId}/orders/${orderId}/status`, {
      from: 'full_in_force',
      to: 'applied',
      duration: 'fixed',
      ...date('madeOn', fullMade),
      ...date('appliedOn', fullMade),
      ...date('expiresOn', addDays(fullMade, 3 * 365)),
    });
    assert.deepEqual(errorSummary(illegal.body), [
      'An order that is “full order in force” cannot become “applied for”',
    ]);

    const after = await browser.get(`/cases/${caseId}/orders/${orderId}`);
    assert.match(after.body, /data-qa="order-status">Full order in force/);
    assert.match(after.body, /Interim order in force → Full order in force/);
    assert.match(after.body, /data-qa="order-notification-due">[\s\S]*?Defendant to notify police by/);

    const tasks = (await orderTasks(caseId)).filter((task) => task.purpose === 'order_reminder');
    const open = tasks.filter((task) => task.completed_at === null);
    assert.deepEqual(
      open.map((task) => task.due_on),
      [addDays(served, 3), addDays(addDays(fullMade, 3 * 365), -56)],
      'notification check and renewal review; the interim reminder closed',
    );
    assert.equal(tasks.length, 3);

    // The end date moves: the renewal review moves with it rather than a second one appearing.
    const moved = await browser.post(`/cases/${caseId}/orders/${orderId}/status`, {
      from: 'full_in_force',
      to: 'full_in_force',
      duration: 'fixed',
      ...date('interimMadeOn', made),
      ...date('madeOn', fullMade),
      ...date('servedOn', served),
      ...date('expiresOn', addDays(fullMade, 4 * 365)),
    });
    assert.equal(moved.statusCode, 303);
    const afterMove = (await orderTasks(caseId)).filter((task) => task.purpose === 'order_reminder');
    assert.equal(afterMove.length, 3, 'moved, not added');
    assert.ok(afterMove.some((task) => task.due_on === addDays(addDays(fullMade, 4 * 365), -56)));

    const refused =
      await sql`UPDATE protection_order_changes SET to_status = 'refused' WHERE order_id = ${orderId}`
        .execute(test.database.ownerDb)
        .catch((error: unknown) => error);
    assert.match(String(refused), /cannot be changed that way/, 'the history cannot be rewritten');
  });

  it('keeps a double click to one order, and refuses an order the kind cannot have', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const form = {
      type: 'bail_conditions',
      perpetratorId: 'none',
      status: 'full_in_force',
      duration: 'fixed',
      ...date('madeOn', today()),
      ...date('expiresOn', addDays(today(), 28)),
    };
    const { response, submissionId } = await recordOrder(browser, caseId, form);
    assert.equal(response.statusCode, 303);
    const again = await browser.post(`/cases/${caseId}/orders`, { submissionId, ...form });
    assert.equal(again.headers.location, response.headers.location);
    const count = await inOrg((trx) =>
      trx
        .selectFrom('protection_orders')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow(),
    );
    assert.equal(Number(count.n), 1);

    const { response: wrong } = await recordOrder(browser, caseId, {
      ...form,
      status: 'requested',
      ...date('requestedOn', today()),
    });
    assert.equal(wrong.statusCode, 400);
    assert.ok(errorSummary(wrong.body).includes('A bail conditions cannot be requested from police'));
  });

  it('records an incident as a breach of the conditions in force, tells the caseworker, and flags it until reported', async () => {
    const { caseId, browser, orderId, made } = await givenCaseWithInterimSpo();
    const page = await browser.get(`/cases/${caseId}/orders/${orderId}`);
    const addCondition = async (form: Record<string, string | string[]>) =>
      browser.post(`/cases/${caseId}/orders/${orderId}/conditions`, {
        submissionId: submissionIdIn(
          (await browser.get(`/cases/${caseId}/orders/${orderId}`)).body,
          'condition-form',
        ),
        ...form,
      });
    assert.match(page.body, /data-qa="order-no-conditions"/);
    const missing = await addCondition({
      kind: 'distance',
      wording: 'Not to come within 100 metres of the home',
      places: 'home',
    });
    assert.deepEqual(errorSummary(missing.body), ['Enter the distance in metres, like 100']);
    assert.equal(
      (
        await addCondition({
          kind: 'no_contact',
          wording: 'Not to contact the applicant directly or indirectly',
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await addCondition({
          kind: 'distance',
          wording: 'Not to come within 100 metres of 14 Larch Close, Northtown NT4 2QP',
          places: ['home', 'work'],
          placeDetails: '14 Larch Close, Northtown NT4 2QP',
          distanceMetres: '100',
        })
      ).statusCode,
      303,
    );
    const summary = await browser.get(`/cases/${caseId}/orders/${orderId}/summary`);
    assert.match(summary.body, /They must not come within 100 metres of your home or your work\./);
    assert.doesNotMatch(summary.body, /Larch Close|NT4/, 'the summary for the client names no address');

    const session = await sessionFor(test, casey);
    const before = await givenDiaryEntry(test, session, caseId, {
      occurredFrom: new Date(Date.parse(`${addDays(made, -5)}T10:00:00Z`)),
    });
    const during = await givenDiaryEntry(test, session, caseId, {
      occurredFrom: new Date(test.clock.now().getTime() - 2 * 3600_000),
    });

    const tooEarly = await browser.get(`/cases/${caseId}/diary/${before.entryId}/breach`);
    assert.match(tooEarly.body, /data-qa="breach-none-in-force"/);
    assert.match(tooEarly.body, /No order was in force when this incident happened/);

    const form = await browser.get(`/cases/${caseId}/diary/${during.entryId}/breach`);
    assert.equal(form.statusCode, 200);
    const conditionIds = [
      ...form.body.matchAll(/name="conditions" type="checkbox" value="([0-9a-f-]{36})"/g),
    ].map((m) => m[1]!);
    assert.equal(conditionIds.length, 2);
    const submissionId = submissionIdIn(form.body, 'breach-form');
    const none = await browser.post(`/cases/${caseId}/diary/${during.entryId}/breach`, { submissionId });
    assert.deepEqual(errorSummary(none.body), ['Select the conditions the incident may have breached']);

    const sentBefore = received.length;
    const recorded = await browser.post(`/cases/${caseId}/diary/${during.entryId}/breach`, {
      submissionId,
      conditions: conditionIds,
      note: 'Seen outside her work at 8am',
    });
    assert.equal(recorded.statusCode, 303);
    const again = await browser.post(`/cases/${caseId}/diary/${during.entryId}/breach`, {
      submissionId,
      conditions: conditionIds,
    });
    assert.equal(again.headers.location, recorded.headers.location, 'a double click records one breach');
    assert.equal(received.length, sentBefore, 'the caseworker recorded it herself: nobody to tell');

    const breachPage = await browser.get(recorded.headers.location as string);
    assert.match(breachPage.body, /Breach 1 of stalking protection order 1/);
    assert.equal((breachPage.body.match(/data-qa="breach-condition"/g) ?? []).length, 2);
    const review = (await orderTasks(caseId)).filter((task) => task.purpose === 'risk_review');
    assert.equal(review.length, 1, 'a breach raises a risk reassessment');
    assert.match(review[0]!.title, /^Review risk: a suspected breach of an order was recorded/);

    // A manager records a second breach: Casey is told by email, with no details of the case.
    const later = await givenDiaryEntry(test, session, caseId, {
      occurredFrom: new Date(test.clock.now().getTime() - 3600_000),
    });
    const managerBrowser = await signedIn(manager);
    const managerForm = await managerBrowser.get(`/cases/${caseId}/diary/${later.entryId}/breach`);
    const sent = await managerBrowser.post(`/cases/${caseId}/diary/${later.entryId}/breach`, {
      submissionId: submissionIdIn(managerForm.body, 'breach-form'),
      conditions: conditionIds[0]!,
    });
    assert.equal(sent.statusCode, 303);
    for (let wait = 0; wait < 50 && received.length === sentBefore; wait += 1)
      await new Promise((r) => setTimeout(r, 20));
    const mail = received.at(-1)!;
    assert.equal(mail.subject, 'A breach of an order was recorded on one of your cases');
    assert.deepEqual(
      (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((to) =>
        to!.value.map((address) => address.address),
      ),
      [casey.email],
    );
    assert.doesNotMatch(mail.text ?? '', /Darren|Larch|NM\/2026|Seen outside/);

    // A day later, not reported to police: flagged on the caseworker's home page until it is.
    test.clock.advance(DAY + 3600_000);
    const caseyAgain = await signedIn(casey);
    const home = await caseyAgain.get('/');
    assert.match(home.body, /data-qa="home-breach-overdue"/);
    const breachUrl = recorded.headers.location!.split('?')[0]!;
    const report = await caseyAgain.post(`${breachUrl}/report`, {
      ...date('reportedOn', addDays(today(), -1)),
      reportedTime: '09:15',
      how: '101',
      officer: 'PC 4411 Jones',
      crimeReference: 'NP/26/118822',
    });
    assert.equal(report.statusCode, 303);
    const reported = await caseyAgain.get(breachUrl);
    assert.match(reported.body, /NP\/26\/118822/);
    assert.doesNotMatch(reported.body, /data-qa="breach-overdue"/);

    const outcomePage = await caseyAgain.get(breachUrl);
    const outcome = await caseyAgain.post(`${breachUrl}/outcomes`, {
      submissionId: submissionIdIn(outcomePage.body, 'breach-outcome-form'),
      outcome: 'arrest',
      ...date('outcomeOn', today()),
    });
    assert.equal(outcome.statusCode, 303);
    const order = await caseyAgain.get(`/cases/${caseId}/orders/${orderId}`);
    assert.match(order.body, /data-qa="order-breach-count">\(2\)/);
    assert.match(order.body, /Arrested/);

    const robinBrowser = await signedIn(robin);
    assert.equal((await robinBrowser.get(breachUrl)).statusCode, 403, 'not on their caseload');
    assert.equal((await robinBrowser.get(`/cases/${caseId}/orders/${orderId}`)).statusCode, 403);

    const audit = await inOrg((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('action', 'like', 'order.%')
        .execute(),
    );
    const actions = new Set(audit.map((event) => event.action));
    for (const action of [
      'order.recorded',
      'order.status_changed',
      'order.condition_added',
      'order.breach_recorded',
      'order.breach_reported',
    ])
      assert.ok(actions.has(action), `${action} is audited`);
    assert.doesNotMatch(JSON.stringify(audit), /Larch|NP\/26|Seen outside/, 'no content in the audit trail');
  });
});
