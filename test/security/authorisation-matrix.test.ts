import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inOrganisation } from '../../src/db/database.ts';
import type { Role } from '../../src/db/schema.ts';
import { SHIPPED_TEMPLATES } from '../../src/modules/risk/templates.ts';
import { ROLES } from '../../src/platform/permissions.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../support/app.ts';
import { givenCase, givenReferral } from '../support/referrals.ts';
import { givenPerpetrator, givenSerialAlert } from '../support/perpetrators.ts';
import { givenDiaryEntry } from '../support/diary.ts';

/**
 * Walks every route the app registers, as every role and as someone not signed in, and compares the status
 * with test/authorisation-matrix.json. A route missing from the matrix fails; so does any difference.
 * Every response is also checked for the security headers SECURITY.md requires.
 */
const matrixFile = path.join(import.meta.dirname, '..', 'authorisation-matrix.json');
type Matrix = Record<string, Record<string, number>>;
const matrix = JSON.parse(readFileSync(matrixFile, 'utf8')) as Matrix;
const CALLERS = ['anonymous', ...ROLES] as const;

describe('authorisation matrix and security headers', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  const staffByRole = new Map<Role, StaffCredentials>();
  const observed: Matrix = {};

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    for (const role of ROLES)
      staffByRole.set(
        role,
        role === 'administrator' ? admin : await givenStaff(test, admin.organisationId, role),
      );
  });
  after(async () => {
    if (process.env.UPDATE_AUTHORISATION_MATRIX === '1')
      writeFileSync(matrixFile, `${JSON.stringify(observed, null, 2)}\n`);
    await test.close();
  });

  async function browserFor(caller: (typeof CALLERS)[number]): Promise<TestBrowser> {
    const browser = new TestBrowser(test);
    await browser.get('/sign-in');
    if (caller === 'anonymous') return browser;
    const user = staffByRole.get(caller)!;
    const token = await inOrganisation(test.database.db, admin.organisationId, (trx) =>
      test.services.sessions.start(trx, admin.organisationId, user.userId, 'active', {
        clientAddress: null,
        userAgent: null,
      }),
    );
    browser.cookies.set('__Host-vigil-session', token);
    return browser;
  }

  async function concreteUrl(url: string): Promise<string> {
    let concrete = url.replace('/assets/js/*', '/assets/js/app.js').replace('/*', '/images/favicon.svg');
    if (concrete.includes(':userId')) {
      const target = await givenStaff(test, admin.organisationId, 'caseworker');
      concrete = concrete.replace(':userId', target.userId);
    }
    if (concrete.includes(':templateVersionId'))
      concrete = concrete.replace(':templateVersionId', SHIPPED_TEMPLATES[0]!.templateVersionId);
    if (concrete.includes(':referralId')) {
      const { referralId } = await givenReferral(test, admin.organisationId);
      concrete = concrete.replace(':referralId', referralId);
    }
    if (concrete.includes(':caseId')) {
      // A case someone else holds: caseworkers see only their own caseload (their own cases are tested in
      // src/modules/cases/cases.test.ts), managers see every case.
      const { referralId } = await givenReferral(test, admin.organisationId);
      const holder = await givenStaff(test, admin.organisationId, 'caseworker');
      const manager = staffByRole.get('manager')!;
      const token = await inOrganisation(test.database.db, admin.organisationId, (trx) =>
        test.services.sessions.start(trx, admin.organisationId, manager.userId, 'active', {
          clientAddress: null,
          userAgent: null,
        }),
      );
      const lookup = await test.services.sessions.lookup(token);
      if (lookup.kind !== 'active') throw new Error('no manager session');
      const outcome = await test.services.triage.decide(lookup.session, referralId, {
        decision: 'accepted',
        reason: 'Meets criteria',
        allocateTo: holder.userId,
        linkToClientId: null,
      });
      if (outcome.kind !== 'decided' || !outcome.caseId) throw new Error(`no case opened: ${outcome.kind}`);
      concrete = concrete.replace(':caseId', outcome.caseId);
      if (concrete.includes(':taskId')) {
        const task = await test.services.casework.addTask(lookup.session, outcome.caseId, {
          title: 'Call back',
          dueOn: '2030-01-01',
          ownerId: holder.userId,
        });
        if (task.kind !== 'ok' || task.value?.kind !== 'recorded') throw new Error('no task added');
        concrete = concrete.replace(':taskId', task.value.id);
      }
      if (concrete.includes(':serviceId')) {
        const service = await test.services.casework.addService(lookup.session, outcome.caseId, {
          service: 'court_support',
          startedOn: '2026-01-05',
          note: null,
        });
        if (service.kind !== 'ok' || service.value.kind !== 'recorded') throw new Error('no service added');
        concrete = concrete.replace(':serviceId', service.value.id);
      }
      if (concrete.includes(':onwardReferralId')) {
        const referral = await test.services.casework.addOnwardReferral(lookup.session, outcome.caseId, {
          agencyType: 'housing',
          agencyName: 'Northtown Housing Options',
          referredOn: '2026-01-05',
          reason: 'Needs to move',
          consentGiven: true,
          consentOverride: null,
        });
        if (referral.kind !== 'ok' || referral.value.kind !== 'recorded') throw new Error('no referral on');
        concrete = concrete.replace(':onwardReferralId', referral.value.id);
      }
      if (concrete.includes(':entryId')) {
        const { entryId } = await givenDiaryEntry(test, lookup.session, outcome.caseId);
        concrete = concrete.replace(':entryId', entryId);
      }
      if (concrete.includes(':assessmentId')) {
        const started = await test.services.risk.start(
          lookup.session,
          outcome.caseId,
          'risk-checklist',
          crypto.randomUUID(),
        );
        if (started.kind !== 'ok' || started.value.kind !== 'started')
          throw new Error('no assessment started');
        concrete = concrete.replace(':assessmentId', started.value.assessmentId).replace(':sectionId', 'now');
      }
      if (concrete.includes(':orderId') || concrete.includes(':breachId')) {
        const orderId = crypto.randomUUID();
        const recorded = await test.services.orders.record(lookup.session, outcome.caseId, orderId, {
          type: 'spo',
          perpetratorId: null,
          status: 'interim_in_force',
          dates: {
            requestedOn: null,
            appliedOn: null,
            interimMadeOn: '2026-01-01',
            madeOn: null,
            servedOn: null,
            expiresOn: null,
            untilFurtherOrder: false,
            endedOn: null,
          },
          details: { applicant: null, court: null, courtReference: null, notes: null },
        });
        if (recorded.kind !== 'ok' || recorded.value.kind !== 'recorded')
          throw new Error('no order recorded');
        const conditionId = crypto.randomUUID();
        await test.services.orders.addCondition(lookup.session, outcome.caseId, orderId, conditionId, {
          kind: 'no_contact',
          wording: 'Not to contact the applicant',
          places: [],
          placeDetails: null,
          distanceMetres: null,
          fromOn: null,
        });
        concrete = concrete.replace(':orderId', orderId).replace(':conditionId', conditionId);
        if (concrete.includes(':breachId')) {
          const { entryId } = await givenDiaryEntry(test, lookup.session, outcome.caseId);
          const breach = await test.services.orders.recordBreach(
            lookup.session,
            outcome.caseId,
            entryId,
            crypto.randomUUID(),
            { conditionIds: [conditionId], note: null },
          );
          if (breach.kind !== 'ok' || breach.value.kind !== 'recorded') throw new Error('no breach recorded');
          concrete = concrete.replace(':breachId', breach.value.breachIds[0]!);
        }
      }
      if (concrete.includes(':section')) concrete = concrete.replace(':section', 'home-security');
      // A version to open, and a plan to print.
      if (concrete.includes(':versionNumber') || concrete.endsWith('/safety-plan/print')) {
        const saved = await test.services.safetyPlans.save(
          lookup.session,
          outcome.caseId,
          crypto.randomUUID(),
          0,
          {
            kind: 'section',
            section: 'home-security',
            actions: [
              {
                actionId: crypto.randomUUID(),
                what: 'Fit a video doorbell',
                who: 'caseworker',
                whoName: null,
                status: 'to_do',
                reviewOn: null,
                shared: true,
              },
            ],
          },
        );
        if (saved.kind !== 'ok' || saved.value.kind !== 'saved') throw new Error('no safety plan saved');
        concrete = concrete.replace(':versionNumber', String(saved.value.versionNumber));
      }
      if (concrete.includes(':contactId')) {
        const contactId = crypto.randomUUID();
        await test.services.liaison.addContact(lookup.session, outcome.caseId, contactId, {
          force: 'Northshire Police',
          officerName: 'DC Example',
          collarNumber: null,
          role: 'officer_in_case',
          phone: null,
          email: null,
          notes: null,
        });
        concrete = concrete.replace(':contactId', contactId);
      }
      if (concrete.includes(':crimeReferenceId')) {
        const crimeReferenceId = crypto.randomUUID();
        await test.services.liaison.addCrimeReference(lookup.session, outcome.caseId, crimeReferenceId, {
          reference: '41/1/26',
          force: 'Northshire Police',
          offence: 'harassment',
          offenceDetail: null,
          status: 'reported',
          statusOn: '2026-01-05',
          note: null,
        });
        concrete = concrete.replace(':crimeReferenceId', crimeReferenceId);
      }
      if (concrete.includes(':hearingId')) {
        const hearingId = crypto.randomUUID();
        await test.services.liaison.addHearing(lookup.session, outcome.caseId, hearingId, {
          courtType: 'criminal',
          venue: 'Northtown Magistrates’ Court',
          startsAt: new Date('2030-01-07T10:00:00Z'),
          hearingType: 'trial',
          hearingTypeOther: null,
          crimeReferenceId: null,
          support: [],
          measuresRequested: [],
          measuresGranted: [],
          notes: null,
        });
        concrete = concrete.replace(':hearingId', hearingId);
      }
      if (concrete.includes(':requestId')) {
        const requestId = crypto.randomUUID();
        await test.services.spoRequests.request(lookup.session, outcome.caseId, requestId, {
          prohibitions: ['no_contact'],
          otherProhibitions: [],
          requirements: [],
          otherRequirements: [],
          places: [],
          contactId: null,
          otherInformation: null,
          consent: 'consents',
          consentReason: null,
        });
        concrete = concrete.replace(':requestId', requestId);
      }
      if (concrete.includes(':dependantId')) {
        const dependantId = crypto.randomUUID();
        const added = await test.services.clients.addDependant(lookup.session, outcome.caseId, {
          submissionId: dependantId,
          name: 'K',
          yearOfBirth: 2018,
          yearEstimated: false,
          livesWithClient: true,
          notes: null,
        });
        if (added.kind !== 'ok') throw new Error('no dependant added');
        concrete = concrete.replace(':dependantId', dependantId);
      }
    }
    if (concrete.includes(':perpetratorId')) {
      // A perpetrator on a case someone else holds: caseworkers may not open it; managers and police liaison may.
      const manager = staffByRole.get('manager')!;
      const holder = await givenStaff(test, admin.organisationId, 'caseworker');
      const { caseId } = await givenCase(test, manager, { holder });
      concrete = concrete.replace(':perpetratorId', await givenPerpetrator(test, manager, caseId));
    }
    if (concrete.includes(':alertId')) {
      const holder = await givenStaff(test, admin.organisationId, 'caseworker');
      const { alertId } = await givenSerialAlert(test, staffByRole.get('manager')!, holder);
      concrete = concrete.replace(':alertId', alertId);
    }
    if (concrete.includes(':code')) {
      const organisation = await test.database.ownerDb
        .selectFrom('organisations')
        .select('referral_code')
        .where('organisation_id', '=', admin.organisationId)
        .executeTakeFirstOrThrow();
      concrete = concrete.replace(':code', organisation.referral_code).replace(':step', 'who');
    }
    return concrete
      .replace(':sessionId', crypto.randomUUID())
      .replace(':token', `${admin.organisationId}.${'x'.repeat(43)}`);
  }

  it('lists every route in the matrix and answers each caller as the matrix says', async () => {
    const routes = test.app.routeTable.filter((route) => route.method !== 'HEAD');
    assert.ok(routes.length > 15, 'the route table was collected');
    const problems: string[] = [];
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      observed[key] = {};
      if (!matrix[key]) problems.push(`${key} is not in test/authorisation-matrix.json`);
      for (const caller of CALLERS) {
        const browser = await browserFor(caller);
        const url = await concreteUrl(route.url);
        const response = route.method === 'GET' ? await browser.get(url) : await browser.post(url, {});
        observed[key][caller] = response.statusCode;
        const expected = matrix[key]?.[caller];
        if (matrix[key] && expected !== response.statusCode) {
          problems.push(`${key} as ${caller}: expected ${expected}, got ${response.statusCode}`);
        }

        const headers = response.headers;
        const csp = String(headers['content-security-policy'] ?? '');
        const missing = [
          !/script-src 'self' 'nonce-[0-9a-f]{32}'/.test(csp) && 'CSP script nonce',
          !csp.includes("object-src 'none'") && "object-src 'none'",
          !csp.includes("base-uri 'none'") && "base-uri 'none'",
          !csp.includes("frame-ancestors 'none'") && "frame-ancestors 'none'",
          !String(headers['strict-transport-security']).includes('max-age=') && 'HSTS',
          headers['x-content-type-options'] !== 'nosniff' && 'nosniff',
          headers['referrer-policy'] !== 'no-referrer' && 'Referrer-Policy',
          headers['cross-origin-opener-policy'] !== 'same-origin' && 'COOP',
          !url.startsWith('/assets/') && headers['cache-control'] !== 'no-store' && 'Cache-Control: no-store',
        ].filter(Boolean);
        if (missing.length) problems.push(`${key} as ${caller}: missing ${missing.join(', ')}`);
      }
    }
    for (const key of Object.keys(matrix)) {
      if (!routes.some((route) => `${route.method} ${route.url}` === key))
        problems.push(`${key} is in the matrix but not served`);
    }
    assert.deepEqual(problems, []);
  });

  it('serves the generic 404 page, with the same headers, for an address that does not exist', async () => {
    const response = await (await browserFor('administrator')).get('/no-such-page');
    assert.equal(response.statusCode, 404);
    assert.match(response.body, /Page not found/);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
  });

  it('gives every page its own script nonce, the one its policy allows, and allows no other script or style', async () => {
    const browser = await browserFor('administrator');
    const nonces = [];
    for (const url of ['/', '/', '/no-such-page']) {
      const response = await browser.get(url);
      const csp = String(response.headers['content-security-policy']);
      const allowed = /script-src 'self' 'nonce-([0-9a-f]{32})';/.exec(csp)?.[1];
      assert.ok(allowed, csp);
      assert.match(csp, /style-src 'self';/);
      const scripts = [...response.body.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
      assert.ok(scripts.length > 0);
      for (const script of scripts) assert.ok(script.includes(` nonce="${allowed}"`), script);
      nonces.push(allowed);
    }
    assert.equal(new Set(nonces).size, nonces.length);
  });
});
