import { randomUUID } from 'node:crypto';
import type { CurrentSession } from '../../src/platform/auth/sessions.ts';
import { blindIndexKey } from '../../src/platform/crypto/blind-index.ts';
import { withCaseInScope } from '../../src/modules/cases/case-scope.ts';
import { insertEntry, type IncidentFacts } from '../../src/modules/diary/diary-entry.ts';
import type { TestApp } from './app.ts';

/** A synthetic incident: a message on a weekday evening, reported to nobody. */
export function incidentFacts(overrides: Partial<IncidentFacts> = {}): IncidentFacts {
  return {
    occurredFrom: new Date('2026-10-05T19:30:00Z'),
    occurredTo: null,
    behaviours: ['messages'],
    impacts: ['alarm_or_distress'],
    channel: 'text_message',
    perpetratorId: null,
    reportedToPolice: false,
    details: {
      description: 'Twelve texts in an hour asking where she was',
      location: null,
      mapPoint: null,
      accountUsed: '07700 900456',
      impactInWords: null,
      witnesses: null,
      evidenceSaved: 'Screenshots on her phone',
      policeOfficer: null,
      crimeReference: null,
    },
    identifiers: [],
    ...overrides,
  };
}

/** An entry in a case's diary, recorded by the signed-in member of staff (straight through the writer). */
export async function givenDiaryEntry(
  test: TestApp,
  session: CurrentSession,
  caseId: string,
  overrides: Partial<IncidentFacts> = {},
): Promise<{ entryId: string; entryNumber: number }> {
  const { services } = test;
  const deps = { db: test.database.db, clock: services.clock, keys: services.keys };
  const result = await withCaseInScope(deps, session, caseId, async (trx, kase) => {
    const organisationKey = await services.keys.organisationKey(trx, session.organisationId);
    return insertEntry(
      trx,
      {
        organisationId: session.organisationId,
        caseId,
        key: kase.key,
        indexKey: blindIndexKey(organisationKey),
      },
      {
        entryId: randomUUID(),
        submissionId: randomUUID(),
        origin: 'staff',
        recordedBy: session.user.userId,
        recordedAt: services.clock.now(),
        importId: null,
      },
      incidentFacts(overrides),
    );
  });
  if (result.kind !== 'ok' || result.value.kind === 'stale')
    throw new Error(`entry not recorded: ${result.kind}`);
  return { entryId: result.value.entryId, entryNumber: result.value.entryNumber };
}
