import { randomUUID } from 'node:crypto';
import { inOrganisation } from '../../src/db/database.ts';
import type {
  PerpetratorDetails,
  PerpetratorForm,
} from '../../src/modules/perpetrators/perpetrators.schema.ts';
import type { StaffCredentials, TestApp } from './app.ts';
import { givenCase, sessionFor } from './referrals.ts';

/** A perpetrator's details; traits override what a test cares about. */
export function perpetratorDetails(overrides: Partial<PerpetratorDetails> = {}): PerpetratorDetails {
  return {
    name: 'Casey Marlowe',
    aliases: [],
    dateOfBirth: '1984-06-02',
    approximateAge: null,
    description: 'Tall, shaved head, a tattoo of a swallow on the left hand.',
    addresses: '14 Orchard Row\nNorthtown NT1 4AB',
    phones: ['07700 900123'],
    emails: ['casey.m@example.net'],
    socialAccounts: [{ platform: 'Instagram', handle: '@CaseyM_84' }],
    vehicles: ['AB12 CDE'],
    riskFactors: ['violence'],
    riskNotes: 'Assaulted a previous partner in 2019.',
    ...overrides,
  };
}

export function perpetratorForm(overrides: Partial<PerpetratorForm> = {}): PerpetratorForm {
  return {
    details: perpetratorDetails(),
    relationship: 'ex_partner',
    choice: 'new',
    submissionId: randomUUID(),
    matchesShown: false,
    ...overrides,
  };
}

/** A perpetrator added to a case by `user`, created as someone new. */
export async function givenPerpetrator(
  test: TestApp,
  user: StaffCredentials,
  caseId: string,
  details: Partial<PerpetratorDetails> = {},
): Promise<string> {
  const outcome = await test.services.perpetrators.addToCase(
    await sessionFor(test, user),
    caseId,
    perpetratorForm({ details: perpetratorDetails(details) }),
  );
  if (outcome.kind !== 'created') throw new Error(`no perpetrator created: ${outcome.kind}`);
  return outcome.perpetratorId;
}

/** A perpetrator known from one case and then linked to a second: a serial-perpetrator alert waits. */
export async function givenSerialAlert(
  test: TestApp,
  manager: StaffCredentials,
  holder: StaffCredentials,
): Promise<{ alertId: string; perpetratorId: string }> {
  const first = await givenCase(test, manager, { holder });
  const second = await givenCase(test, manager, { holder });
  const phone = `07700 ${String(Math.floor(Math.random() * 900000) + 100000)}`;
  const perpetratorId = await givenPerpetrator(test, manager, first.caseId, { phones: [phone] });
  const outcome = await test.services.perpetrators.addToCase(
    await sessionFor(test, manager),
    second.caseId,
    perpetratorForm({ details: perpetratorDetails({ phones: [phone] }), choice: { perpetratorId } }),
  );
  if (outcome.kind !== 'linked') throw new Error(`not linked: ${outcome.kind}`);
  const alert = await inOrganisation(test.database.db, manager.organisationId, (trx) =>
    trx
      .selectFrom('perpetrator_alerts')
      .select('alert_id')
      .where('perpetrator_id', '=', perpetratorId)
      .where('case_id', '=', second.caseId)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirstOrThrow(),
  );
  return { alertId: alert.alert_id, perpetratorId };
}
