import { randomUUID } from 'node:crypto';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { PerpetratorIdentifierKind } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';
import { blindIndex, blindIndexKey, normaliseIdentifier } from '../../platform/crypto/blind-index.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { can } from '../../platform/permissions.ts';
import { caseVisibleTo, visibleCaseIds } from '../cases/case-access.ts';
import { NAME_SIMILARITY_THRESHOLD } from '../referrals/duplicates.ts';
import {
  acknowledgeAlert,
  alertsFor,
  findAlert,
  findCase,
  findPerpetrator,
  identifierMatches,
  identifiersOf,
  insertAlert,
  insertIdentifiers,
  insertPerpetrator,
  linkedCases,
  linkToCase,
  nameMatches,
  perpetratorsByIds,
  perpetratorsOfCase,
  updateAlertReasons,
  updatePerpetrator,
  waitingAlerts,
  type IdentifierProbe,
  type IdentifierRow,
  type LinkedCase,
  type PerpetratorRow,
  type RecordScope,
} from './perpetrators.repository.ts';
import type {
  PerpetratorDetails,
  PerpetratorForm,
  Relationship,
  RiskFactor,
  SocialAccount,
} from './perpetrators.schema.ts';

export type CaseLink = { caseId: string; reference: string };

/** Someone already known to the service who may be the person being added or referred. */
export type PerpetratorMatch = {
  perpetratorId: string;
  name: string | null;
  aliases: string[];
  dateOfBirth: string | null;
  approximateAge: number | null;
  /** Why they may be the same person, in words: "Same phone number", "Similar name (62% alike)". */
  reasons: string[];
  /** The cases they are linked to that the viewer may be told about. */
  cases: CaseLink[];
};

/**
 * Matches the viewer may see, and how many more there are that they may not (in other people's cases, without
 * perpetrator:see_matches): for those they are told only that the person may already be known.
 */
export type PerpetratorMatches = { matches: PerpetratorMatch[]; hiddenCount: number };

export type PerpetratorRecord = {
  perpetratorId: string;
  name: string | null;
  aliases: string[];
  dateOfBirth: string | null;
  approximateAge: number | null;
  description: string | null;
  addresses: string | null;
  phones: string[];
  emails: string[];
  socialAccounts: SocialAccount[];
  vehicles: string[];
  riskFactors: RiskFactor[];
  riskNotes: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The linked cases the viewer may open. */
  cases: (CaseLink & { relationship: Relationship; linkedAt: Date })[];
};

/** A perpetrator as the case page lists them. */
export type CasePerpetrator = {
  perpetratorId: string;
  name: string | null;
  aliases: string[];
  relationship: Relationship;
  riskFactors: RiskFactor[];
  linkedAt: Date;
  /** How many other cases they are linked to; null when the viewer may not know (no perpetrator:see_matches). */
  otherCases: number | null;
};

export type PerpetratorAlert = {
  alertId: string;
  createdAt: Date;
  reasons: string;
  /** Linked to the case (serial stalking), rather than a possible match still to be checked. */
  linked: boolean;
  perpetrator: { perpetratorId: string; name: string | null };
  case: CaseLink;
  otherCases: CaseLink[];
};

export type CaseForForm =
  { kind: 'ok'; caseId: string; reference: string } | { kind: 'not_found' } | { kind: 'not_on_caseload' };

export type AddOutcome =
  | { kind: 'not_found' }
  | { kind: 'not_on_caseload' }
  | { kind: 'matches'; found: PerpetratorMatches; choiceRefused: boolean }
  | { kind: 'created'; perpetratorId: string }
  | { kind: 'linked'; perpetratorId: string }
  /** The form's submission id belongs to a record on another case: the form was altered. */
  | { kind: 'stale_form' };

type Match = PerpetratorMatch & { visible: boolean };

type Probe = IdentifierProbe & { value: string; platform: string | null };

const IDENTIFIER_REASONS: Record<PerpetratorIdentifierKind, string> = {
  phone: 'Same phone number',
  email: 'Same email address',
  handle: 'Same social media account',
  vehicle: 'Same vehicle registration',
};

const MAX_MATCHES = 20;
const MAX_ALIASES = 20;
const MAX_ALERTS_SHOWN = 200;

const aad = (perpetratorId: string, field: string) => `perpetrator:${perpetratorId}:${field}`;
const dataKeyScope = (perpetratorId: string) => `perpetrator:${perpetratorId}`;

/** The blind-index probes for a perpetrator's identifiers, each once however it was typed. */
export function identifierProbes(details: PerpetratorDetails, indexKey: Buffer): Probe[] {
  const typed: { kind: PerpetratorIdentifierKind; value: string; platform: string | null }[] = [
    ...details.phones.map((value) => ({ kind: 'phone' as const, value, platform: null })),
    ...details.emails.map((value) => ({ kind: 'email' as const, value, platform: null })),
    ...details.socialAccounts.map((account) => ({
      kind: 'handle' as const,
      value: account.handle,
      platform: account.platform,
    })),
    ...details.vehicles.map((value) => ({ kind: 'vehicle' as const, value, platform: null })),
  ];
  const seen = new Set<string>();
  const probes: Probe[] = [];
  for (const item of typed) {
    const index = blindIndex(indexKey, item.kind, item.value);
    const key = `${item.kind}:${index.toString('hex')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    probes.push({ ...item, index });
  }
  return probes;
}

/** Adds typed text to what a record already says, unless it already says it. */
export function mergeText(existing: string | null, typed: string | null): string | null {
  if (!typed) return existing;
  if (!existing) return typed;
  if (existing.includes(typed)) return existing;
  return `${existing}\n\n${typed}`;
}

/**
 * Names typed for a case, added to a known perpetrator's: a name the record lacks becomes its name; any other
 * name it does not have yet (compared without case or extra spaces) becomes another name.
 */
export function mergeNames(
  existing: { name: string | null; aliases: string[] },
  typed: { name: string | null; aliases: string[] },
): { name: string | null; aliases: string[] } {
  const known = new Set(
    [existing.name, ...existing.aliases]
      .filter((value): value is string => Boolean(value))
      .map((value) => normaliseIdentifier('name', value)),
  );
  let name = existing.name;
  const aliases = [...existing.aliases];
  for (const candidate of [typed.name, ...typed.aliases]) {
    if (!candidate) continue;
    const normalised = normaliseIdentifier('name', candidate);
    if (known.has(normalised)) continue;
    known.add(normalised);
    if (!name) name = candidate;
    else if (aliases.length < MAX_ALIASES) aliases.push(candidate);
  }
  return { name, aliases };
}

function nameReason(similarity: number, sameDateOfBirth: boolean): string {
  const percent = Math.round(similarity * 100);
  return sameDateOfBirth
    ? `Similar name (${percent}% alike) and the same date of birth`
    : `Similar name (${percent}% alike)`;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * Perpetrator records and matching across cases (serial stalking). A record belongs to the organisation and can
 * be linked to several cases. Caseworkers see the perpetrators linked to their own cases; managers any in the
 * organisation, plus the matches and alerts that connect cases held by different people.
 */
export class PerpetratorService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
  }

  /** Whose perpetrator records someone may open: those on cases they may open, or (managers, police liaison) all. */
  private recordScope(session: CurrentSession): RecordScope {
    const role = session.user.role;
    return can(role, 'case:read') && !can(role, 'case:read_all')
      ? { kind: 'cases', visible: caseVisibleTo(session, this.clock.now()) }
      : { kind: 'organisation' };
  }

  /** Whose cases someone may work on (see `caseVisibleTo`). */
  private caseScope(session: CurrentSession): RecordScope {
    return can(session.user.role, 'case:read_all')
      ? { kind: 'organisation' }
      : { kind: 'cases', visible: caseVisibleTo(session, this.clock.now()) };
  }

  private async caseIn(trx: Trx, session: CurrentSession, caseId: string): Promise<CaseForForm> {
    const found = await findCase(trx, session.organisationId, caseId, this.caseScope(session));
    if (found) return { kind: 'ok', caseId: found.case_id, reference: found.reference };
    const exists = await findCase(trx, session.organisationId, caseId, { kind: 'organisation' });
    return exists ? { kind: 'not_on_caseload' } : { kind: 'not_found' };
  }

  /** The case a perpetrator is being added to, if the caller may work on it. */
  async caseForForm(session: CurrentSession, caseId: string): Promise<CaseForForm> {
    return inOrganisation(this.db, session.organisationId, (trx) => this.caseIn(trx, session, caseId));
  }

  /**
   * Adds a perpetrator to a case. Possible matches with people already known come first: while none has been
   * chosen they are returned to be shown (and managers are alerted); then either the chosen known perpetrator
   * is linked to the case, with what was typed added to their record, or a new record is made.
   */
  async addToCase(session: CurrentSession, caseId: string, form: PerpetratorForm): Promise<AddOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const target = await this.caseIn(trx, session, caseId);
      if (target.kind !== 'ok') return target;
      const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
      const probes = identifierProbes(form.details, blindIndexKey(organisationKey));
      const matches = await this.findMatches(
        trx,
        session,
        {
          names: [form.details.name, ...form.details.aliases].filter((name): name is string => Boolean(name)),
          dateOfBirth: form.details.dateOfBirth,
          probes,
        },
        caseId,
      );
      const chosenId = typeof form.choice === 'object' && form.choice ? form.choice.perpetratorId : null;
      await this.alertPossibleMatches(
        trx,
        session,
        target,
        matches.filter((match) => match.perpetratorId !== chosenId),
      );
      const found = {
        matches: matches.filter((match) => match.visible).map(({ visible: _, ...match }) => match),
        hiddenCount: matches.filter((match) => !match.visible).length,
      };

      if (form.choice === null && matches.length) {
        await this.auditMatchesShown(trx, session, found, target.reference);
        return { kind: 'matches', found, choiceRefused: false } as const;
      }
      if (chosenId) {
        const alreadyLinked = await linkedCases(trx, session.organisationId, [chosenId]);
        if (alreadyLinked.some((link) => link.case_id === target.caseId))
          return { kind: 'linked', perpetratorId: chosenId } as const; // sent twice
        const chosen = matches.find((match) => match.perpetratorId === chosenId && match.visible);
        if (!chosen) {
          await this.auditMatchesShown(trx, session, found, target.reference);
          return { kind: 'matches', found, choiceRefused: true } as const;
        }
        await this.linkKnown(trx, session, target, chosen, form, probes, organisationKey);
        return { kind: 'linked', perpetratorId: chosen.perpetratorId } as const;
      }
      return this.create(trx, session, target, form, probes, organisationKey);
    });
  }

  private async create(
    trx: Trx,
    session: CurrentSession,
    target: { caseId: string; reference: string },
    form: PerpetratorForm,
    probes: Probe[],
    organisationKey: Buffer,
  ): Promise<AddOutcome> {
    const perpetratorId = form.submissionId;
    const now = this.clock.now();
    const { key, wrapped } = this.keys.newDataKey(organisationKey, dataKeyScope(perpetratorId));
    const sealed = (field: string, value: string | null) =>
      value ? seal(key, value, aad(perpetratorId, field)) : null;
    const { details } = form;
    const inserted = await insertPerpetrator(trx, {
      organisation_id: session.organisationId,
      perpetrator_id: perpetratorId,
      data_key_wrapped: wrapped,
      name: details.name,
      aliases: details.aliases,
      date_of_birth: details.dateOfBirth,
      approximate_age: details.approximateAge,
      description_sealed: sealed('description', details.description),
      addresses_sealed: sealed('addresses', details.addresses),
      risk_factors: details.riskFactors,
      risk_notes_sealed: sealed('riskNotes', details.riskNotes),
      created_at: now,
      created_by: session.user.userId,
      updated_at: now,
    });
    if (!inserted) {
      // The same form sent twice makes one record; an id that belongs elsewhere means the form was altered.
      const links = await linkedCases(trx, session.organisationId, [perpetratorId]);
      return links.some((link) => link.case_id === target.caseId)
        ? { kind: 'created', perpetratorId }
        : { kind: 'stale_form' };
    }
    await insertIdentifiers(trx, this.identifierRows(session, perpetratorId, key, probes));
    await linkToCase(trx, {
      organisation_id: session.organisationId,
      case_id: target.caseId,
      perpetrator_id: perpetratorId,
      relationship: form.relationship,
      linked_at: now,
      linked_by: session.user.userId,
    });
    await appendAuditEvent(
      trx,
      {
        organisationId: session.organisationId,
        actorUserId: session.user.userId,
        action: 'perpetrator.created',
        recordType: 'perpetrator',
        recordId: perpetratorId,
        details: { case: target.reference, relationship: form.relationship, identifiers: probes.length },
      },
      now,
    );
    return { kind: 'created', perpetratorId };
  }

  private identifierRows(session: CurrentSession, perpetratorId: string, key: Buffer, probes: Probe[]) {
    return probes.map((probe) => {
      const identifierId = randomUUID();
      return {
        organisation_id: session.organisationId,
        identifier_id: identifierId,
        perpetrator_id: perpetratorId,
        kind: probe.kind,
        index: probe.index,
        value_sealed: seal(key, probe.value, aad(perpetratorId, `identifier:${identifierId}`)),
        platform: probe.kind === 'handle' ? probe.platform : null,
      };
    });
  }

  /** Links a known perpetrator to the case, adds what was typed to their record, and alerts managers. */
  private async linkKnown(
    trx: Trx,
    session: CurrentSession,
    target: { caseId: string; reference: string },
    chosen: Match,
    form: PerpetratorForm,
    probes: Probe[],
    organisationKey: Buffer,
  ): Promise<void> {
    const organisationId = session.organisationId;
    const perpetratorId = chosen.perpetratorId;
    const now = this.clock.now();
    const linked = await linkToCase(trx, {
      organisation_id: organisationId,
      case_id: target.caseId,
      perpetrator_id: perpetratorId,
      relationship: form.relationship,
      linked_at: now,
      linked_by: session.user.userId,
    });
    if (!linked) return; // sent twice: the first send did everything
    const row = (await findPerpetrator(trx, organisationId, perpetratorId, { kind: 'organisation' }))!;
    const key = this.keys.unwrapDataKey(organisationKey, row.data_key_wrapped, dataKeyScope(perpetratorId));
    const opened = (field: string, value: Buffer | null) =>
      value ? openText(key, value, aad(perpetratorId, field)) : null;
    const resealed = (field: string, before: Buffer | null, typed: string | null) => {
      const current = opened(field, before);
      const merged = mergeText(current, typed);
      return merged === current || merged === null ? before : seal(key, merged, aad(perpetratorId, field));
    };
    const { details } = form;
    const names = mergeNames(
      { name: row.name, aliases: row.aliases },
      { name: details.name, aliases: details.aliases },
    );
    const ageKnown = row.date_of_birth !== null || row.approximate_age !== null;
    await updatePerpetrator(trx, organisationId, perpetratorId, {
      name: names.name,
      aliases: names.aliases,
      date_of_birth: ageKnown ? row.date_of_birth : details.dateOfBirth,
      approximate_age: ageKnown ? row.approximate_age : details.dateOfBirth ? null : details.approximateAge,
      description_sealed: resealed('description', row.description_sealed, details.description),
      addresses_sealed: resealed('addresses', row.addresses_sealed, details.addresses),
      risk_factors: [...new Set([...row.risk_factors, ...details.riskFactors])],
      risk_notes_sealed: resealed('riskNotes', row.risk_notes_sealed, details.riskNotes),
      updated_at: now,
    });
    const added = await insertIdentifiers(trx, this.identifierRows(session, perpetratorId, key, probes));
    await appendAuditEvent(
      trx,
      {
        organisationId,
        actorUserId: session.user.userId,
        action: 'perpetrator.linked',
        recordType: 'perpetrator',
        recordId: perpetratorId,
        details: { case: target.reference, relationship: form.relationship, identifiersAdded: added },
      },
      now,
    );

    const caseCount = (await linkedCases(trx, organisationId, [perpetratorId])).length;
    const reasons = [
      `Linked to this case as someone already known; now linked to ${caseCount} cases.`,
      chosen.reasons.length ? `Matched on: ${chosen.reasons.map(lowerFirst).join('; ')}.` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const waiting = (await alertsFor(trx, organisationId, perpetratorId, target.caseId)).find(
      (alert) => alert.acknowledged_at === null,
    );
    if (waiting) await updateAlertReasons(trx, organisationId, waiting.alert_id, reasons);
    else
      await insertAlert(trx, {
        organisation_id: organisationId,
        alert_id: randomUUID(),
        perpetrator_id: perpetratorId,
        case_id: target.caseId,
        reasons,
        created_at: now,
        acknowledged_at: null,
        acknowledged_by: null,
      });
    await appendAuditEvent(
      trx,
      {
        organisationId,
        actorUserId: session.user.userId,
        action: 'perpetrator.alert_recorded',
        recordType: 'perpetrator',
        recordId: perpetratorId,
        details: { case: target.reference, linked: true, cases: caseCount },
      },
      now,
    );
  }

  /** Tells managers, once per perpetrator and case, that a case may involve someone already known. */
  private async alertPossibleMatches(
    trx: Trx,
    session: CurrentSession,
    target: { caseId: string; reference: string },
    matches: Match[],
  ): Promise<void> {
    const now = this.clock.now();
    for (const match of matches) {
      const existing = await alertsFor(trx, session.organisationId, match.perpetratorId, target.caseId);
      if (existing.length) continue;
      const recorded = await insertAlert(trx, {
        organisation_id: session.organisationId,
        alert_id: randomUUID(),
        perpetrator_id: match.perpetratorId,
        case_id: target.caseId,
        reasons: `Possible match when a perpetrator was added to this case: ${match.reasons.map(lowerFirst).join('; ')}.`,
        created_at: now,
        acknowledged_at: null,
        acknowledged_by: null,
      });
      if (!recorded) continue; // sent twice at once: the other request recorded it
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'perpetrator.alert_recorded',
          recordType: 'perpetrator',
          recordId: match.perpetratorId,
          details: { case: target.reference, linked: false },
        },
        now,
      );
    }
  }

  private async auditMatchesShown(
    trx: Trx,
    session: CurrentSession,
    found: PerpetratorMatches,
    caseReference: string | null,
  ): Promise<void> {
    await appendAuditEvent(
      trx,
      {
        organisationId: session.organisationId,
        actorUserId: session.user.userId,
        action: 'perpetrator.matches_shown',
        recordType: caseReference ? 'case' : null,
        recordId: caseReference,
        details: {
          shown: found.matches.map((match) => match.perpetratorId),
          notShown: found.hiddenCount,
        },
      },
      this.clock.now(),
    );
  }

  /**
   * Known perpetrators who may be this person: the same phone number, email, social media handle or vehicle
   * (blind indexes), or a similar name (pg_trgm) with the same date of birth when both are known. Perpetrators
   * already linked to `excludeCaseId` are left out. Each is marked visible when the caller may see it: with
   * perpetrator:see_matches, or when it is linked to one of their own cases.
   */
  private async findMatches(
    trx: Trx,
    session: CurrentSession,
    typed: { names: string[]; dateOfBirth: string | null; probes: IdentifierProbe[] },
    excludeCaseId: string | null,
  ): Promise<Match[]> {
    const organisationId = session.organisationId;
    const [byIdentifier, byName] = await Promise.all([
      identifierMatches(trx, organisationId, typed.probes),
      nameMatches(trx, organisationId, typed.names, typed.dateOfBirth, NAME_SIMILARITY_THRESHOLD),
    ]);
    const found = new Map<string, { kinds: Set<PerpetratorIdentifierKind>; name?: string }>();
    const entry = (id: string) => {
      let value = found.get(id);
      if (!value) found.set(id, (value = { kinds: new Set() }));
      return value;
    };
    for (const row of byIdentifier) entry(row.perpetrator_id).kinds.add(row.kind);
    for (const row of byName)
      entry(row.perpetrator_id).name = nameReason(row.similarity, row.same_date_of_birth);
    if (!found.size) return [];

    const ids = [...found.keys()];
    const cases = await linkedCases(trx, organisationId, ids);
    const excluded = new Set(
      cases.filter((link) => link.case_id === excludeCaseId).map((link) => link.perpetrator_id),
    );
    const candidates = ids.filter((id) => !excluded.has(id)).slice(0, MAX_MATCHES);
    const rows = new Map(
      (await perpetratorsByIds(trx, organisationId, candidates)).map((row) => [row.perpetrator_id, row]),
    );
    const seesAll = can(session.user.role, 'perpetrator:see_matches');
    const order: PerpetratorIdentifierKind[] = ['phone', 'email', 'handle', 'vehicle'];
    return candidates
      .filter((id) => rows.has(id))
      .map((id): Match => {
        const row = rows.get(id)!;
        const reasons = found.get(id)!;
        const own = cases.filter(
          (link) => link.perpetrator_id === id && link.allocated_to === session.user.userId,
        );
        const all = cases.filter((link) => link.perpetrator_id === id);
        return {
          perpetratorId: id,
          name: row.name,
          aliases: row.aliases,
          dateOfBirth: row.date_of_birth,
          approximateAge: row.approximate_age,
          reasons: [
            ...order.filter((kind) => reasons.kinds.has(kind)).map((kind) => IDENTIFIER_REASONS[kind]),
            ...(reasons.name ? [reasons.name] : []),
          ],
          cases: (seesAll ? all : own).map((link) => ({ caseId: link.case_id, reference: link.reference })),
          visible: seesAll || (can(session.user.role, 'perpetrator:read') && own.length > 0),
        };
      })
      .sort((a, b) => Number(b.reasons[0]?.startsWith('Same')) - Number(a.reasons[0]?.startsWith('Same')));
  }

  /**
   * For the referral and case pages: known perpetrators who may be the one a referral names. Details only for
   * those the caller may see (perpetrator:see_matches, or linked to their own cases); the rest are counted.
   */
  async matchesForReferral(
    session: CurrentSession,
    typed: { name: string | null; dateOfBirth: string | null },
  ): Promise<PerpetratorMatches> {
    if (!typed.name?.trim() || !can(session.user.role, 'perpetrator:read'))
      return { matches: [], hiddenCount: 0 };
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const matches = await this.findMatches(
        trx,
        session,
        { names: [typed.name!.trim()], dateOfBirth: typed.dateOfBirth, probes: [] },
        null,
      );
      const found = {
        matches: matches.filter((match) => match.visible).map(({ visible: _, ...match }) => match),
        hiddenCount: matches.filter((match) => !match.visible).length,
      };
      if (found.matches.length) await this.auditMatchesShown(trx, session, found, null);
      return found;
    });
  }

  /** For the case page: the perpetrators linked to a case, if the caller may open it. */
  async listForCase(session: CurrentSession, caseId: string): Promise<CasePerpetrator[]> {
    if (!can(session.user.role, 'perpetrator:read')) return [];
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const found = await findCase(trx, session.organisationId, caseId, this.caseScope(session));
      if (!found) return [];
      const rows = await perpetratorsOfCase(trx, session.organisationId, caseId);
      const seesAll = can(session.user.role, 'perpetrator:see_matches');
      const links = seesAll
        ? await linkedCases(
            trx,
            session.organisationId,
            rows.map((row) => row.perpetrator_id),
          )
        : [];
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'perpetrator.listed',
          recordType: 'case',
          recordId: found.reference,
          details: { shown: rows.length },
        },
        this.clock.now(),
      );
      return rows.map((row) => ({
        perpetratorId: row.perpetrator_id,
        name: row.name,
        aliases: row.aliases,
        relationship: row.relationship as Relationship,
        riskFactors: row.risk_factors as RiskFactor[],
        linkedAt: row.linked_at,
        otherCases: seesAll
          ? links.filter((link) => link.perpetrator_id === row.perpetrator_id && link.case_id !== caseId)
              .length
          : null,
      }));
    });
  }

  /** One perpetrator in full, decrypted, if within the caller's scope; the reading is audited. */
  async view(session: CurrentSession, perpetratorId: string): Promise<PerpetratorRecord | null> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = await findPerpetrator(
        trx,
        session.organisationId,
        perpetratorId,
        this.recordScope(session),
      );
      if (!row) return null;
      const [identifiers, links] = await Promise.all([
        identifiersOf(trx, session.organisationId, perpetratorId),
        linkedCases(trx, session.organisationId, [perpetratorId]),
      ]);
      const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
      const key = this.keys.unwrapDataKey(organisationKey, row.data_key_wrapped, dataKeyScope(perpetratorId));
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'perpetrator.viewed',
          recordType: 'perpetrator',
          recordId: perpetratorId,
        },
        this.clock.now(),
      );
      const openable = await visibleCaseIds(
        trx,
        session,
        links.map((link) => link.case_id),
        this.clock.now(),
      );
      return rowToRecord(
        row,
        identifiers,
        links.filter((link) => openable.has(link.case_id)),
        key,
      );
    });
  }

  /** Alerts waiting for a manager, oldest first, with the other cases each perpetrator is linked to. */
  async alerts(session: CurrentSession): Promise<PerpetratorAlert[]> {
    if (!can(session.user.role, 'perpetrator:see_matches')) return [];
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const rows = await waitingAlerts(trx, session.organisationId, MAX_ALERTS_SHOWN);
      const links = await linkedCases(trx, session.organisationId, [
        ...new Set(rows.map((row) => row.perpetrator_id)),
      ]);
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'perpetrator.alerts_viewed',
          details: { shown: rows.length },
        },
        this.clock.now(),
      );
      return rows.map((row) => ({
        alertId: row.alert_id,
        createdAt: row.created_at,
        reasons: row.reasons,
        linked: row.linked,
        perpetrator: { perpetratorId: row.perpetrator_id, name: row.name },
        case: { caseId: row.case_id, reference: row.reference },
        otherCases: links
          .filter((link) => link.perpetrator_id === row.perpetrator_id && link.case_id !== row.case_id)
          .map((link) => ({ caseId: link.case_id, reference: link.reference })),
      }));
    });
  }

  /** Records who acknowledged an alert, and when. Acknowledging one already acknowledged changes nothing. */
  async acknowledgeAlert(session: CurrentSession, alertId: string): Promise<'done' | 'not_found'> {
    if (!can(session.user.role, 'perpetrator:see_matches')) return 'not_found';
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const now = this.clock.now();
      const acknowledged = await acknowledgeAlert(
        trx,
        session.organisationId,
        alertId,
        session.user.userId,
        now,
      );
      if (!acknowledged)
        return (await findAlert(trx, session.organisationId, alertId)) ? 'done' : 'not_found';
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'perpetrator.alert_acknowledged',
          recordType: 'perpetrator',
          recordId: acknowledged.perpetrator_id,
          details: { alert: alertId },
        },
        now,
      );
      return 'done';
    });
  }
}

function rowToRecord(
  row: PerpetratorRow,
  identifiers: IdentifierRow[],
  cases: LinkedCase[],
  key: Buffer,
): PerpetratorRecord {
  const id = row.perpetrator_id;
  const opened = (field: string, value: Buffer | null) =>
    value ? openText(key, value, aad(id, field)) : null;
  const values = (kind: PerpetratorIdentifierKind) =>
    identifiers
      .filter((identifier) => identifier.kind === kind)
      .map((identifier) => ({
        value: openText(key, identifier.value_sealed, aad(id, `identifier:${identifier.identifier_id}`)),
        platform: identifier.platform,
      }));
  return {
    perpetratorId: id,
    name: row.name,
    aliases: row.aliases,
    dateOfBirth: row.date_of_birth,
    approximateAge: row.approximate_age,
    description: opened('description', row.description_sealed),
    addresses: opened('addresses', row.addresses_sealed),
    phones: values('phone').map((item) => item.value),
    emails: values('email').map((item) => item.value),
    socialAccounts: values('handle').map((item) => ({ platform: item.platform, handle: item.value })),
    vehicles: values('vehicle').map((item) => item.value),
    riskFactors: row.risk_factors as RiskFactor[],
    riskNotes: opened('riskNotes', row.risk_notes_sealed),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    cases: cases.map((link) => ({
      caseId: link.case_id,
      reference: link.reference,
      relationship: link.relationship as Relationship,
      linkedAt: link.linked_at,
    })),
  };
}
