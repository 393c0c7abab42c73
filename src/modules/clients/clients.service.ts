import { randomUUID } from 'node:crypto';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { ContactField } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { blindIndex, blindIndexKey } from '../../platform/crypto/blind-index.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { can } from '../../platform/permissions.ts';
import { caseAccessBasis } from '../cases/case-access.ts';
import type { InScope } from '../cases/case-scope.ts';
import {
  findClient,
  lockClient,
  rowToClient,
  safeContactColumns,
  sealClientField,
  updateClient,
  type ClientRow,
  type SafeContact,
} from '../cases/clients.repository.ts';
import {
  addressDocument,
  aliasesDocument,
  dependantDocument,
  equalityDocument,
  NOT_ASKED,
  otherNeedsDocument,
  type Address,
  type DependantDetails,
  type Equality,
  type NewDependant,
  type SupportNeeds,
} from './client-record.schema.ts';
import {
  contactHistory,
  currentDependants,
  findDetails,
  insertContactChange,
  insertDependant,
  markDependantRemoved,
  saveDetails,
} from './client-record.repository.ts';
import {
  changedContactFields,
  changedIdentityFields,
  identityOf,
  safeContactDocument,
  safeContactOf,
  type Identity,
  type IdentityField,
} from './identity-contact.schema.ts';
import { openDocument, sealDocument } from './sealed-document.ts';

/** The parts of the client record edited one page at a time; audit events name the part, never its contents. */
export type ClientSection =
  'identity' | 'safe_contact' | 'other_names' | 'address' | 'equality' | 'support_needs' | 'dependants';

export type Dependant = DependantDetails & { dependantId: string; addedAt: Date };

/** A client's record as the case page and the forms show it. The address is not here: it is asked for apart. */
export type ClientRecord = {
  caseId: string;
  reference: string;
  clientId: string;
  identity: Identity;
  dateOfBirth: string | null;
  ageAtReferral: number | null;
  aliases: string[];
  addressRecorded: boolean;
  equality: Equality;
  supportNeeds: SupportNeeds;
  dependants: Dependant[];
};

/** Contact details as they were before one change, with when, by whom, and which of them changed. */
export type ContactChange = {
  changeId: string;
  changedAt: Date;
  changedBy: string;
  changed: ContactField[];
  previous: SafeContact;
};

type ScopedClient = {
  caseId: string;
  reference: string;
  clientId: string;
  client: ClientRow;
  key: Buffer;
  organisationKey: Buffer;
};

const aad = (clientId: string, part: string) => `client:${clientId}:${part}`;

/**
 * Equality answers are padded to this many bytes: more than the longest answers can be (four descriptions of
 * 100 characters at up to 4 bytes each), so the ciphertext's length gives nothing away.
 */
const EQUALITY_BLOCK = 2048;

/**
 * Record scope for the client record: the same rule the case page applies (CaseService.view). Kept in this one
 * place so that it can become the shared case-access check when that exists.
 */
/**
 * The client record reached through a case: who they are and how to contact them safely (on the client's own
 * row, with a sealed history of earlier contact details), other names, address, equality monitoring, children
 * and dependants, and support needs. Every part is sealed under the client's own data key; other names also get a
 * keyed blind index so that search and duplicate checks can match them exactly. Every operation checks the
 * case is in the caller's record scope first, and every change (and every reading outside the case page) is
 * audited in the same transaction, naming the part of the record and never what it says.
 */
export class ClientService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
  }

  private async scoped<T>(
    session: CurrentSession,
    caseId: string,
    work: (trx: Trx, scoped: ScopedClient) => Promise<T>,
  ): Promise<InScope<T>> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const kase = await trx
        .selectFrom('cases')
        .select(['case_id', 'reference', 'client_id', 'allocated_to'])
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .executeTakeFirst();
      if (!kase) return { kind: 'not_found' } as const;
      const access = await caseAccessBasis(
        trx,
        session,
        { caseId: kase.case_id, allocatedTo: kase.allocated_to },
        this.clock.now(),
      );
      if (!access) return { kind: 'not_on_caseload' } as const;
      const client = await findClient(trx, session.organisationId, kase.client_id);
      if (!client) return { kind: 'not_found' } as const;
      const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
      const key = this.keys.unwrapDataKey(
        organisationKey,
        client.data_key_wrapped,
        `client:${client.client_id}`,
      );
      const value = await work(trx, {
        caseId: kase.case_id,
        reference: kase.reference,
        clientId: client.client_id,
        client,
        key,
        organisationKey,
      });
      return { kind: 'ok', value } as const;
    });
  }

  private audit(
    trx: Trx,
    session: CurrentSession,
    scoped: ScopedClient,
    action: string,
    details: Record<string, unknown>,
  ) {
    return appendAuditEvent(
      trx,
      {
        organisationId: session.organisationId,
        actorUserId: session.user.userId,
        action,
        recordType: 'case',
        recordId: scoped.reference,
        details,
      },
      this.clock.now(),
    );
  }

  private async load(trx: Trx, session: CurrentSession, scoped: ScopedClient): Promise<ClientRecord> {
    const { clientId, key } = scoped;
    const details = await findDetails(trx, session.organisationId, clientId);
    const dependants = await currentDependants(trx, session.organisationId, clientId);
    const opened = rowToClient(scoped.client, key);
    const otherNeeds = details?.support_needs_sealed
      ? openDocument(key, details.support_needs_sealed, aad(clientId, 'support_needs'), otherNeedsDocument)
      : { needs: [], details: null };
    return {
      caseId: scoped.caseId,
      reference: scoped.reference,
      clientId,
      identity: identityOf(opened),
      dateOfBirth: scoped.client.date_of_birth,
      ageAtReferral: scoped.client.age_at_referral,
      aliases: details?.aliases_sealed
        ? openDocument(key, details.aliases_sealed, aad(clientId, 'aliases'), aliasesDocument)
        : [],
      addressRecorded: Boolean(details?.address_sealed),
      equality: details?.equality_sealed
        ? openDocument(key, details.equality_sealed, aad(clientId, 'equality'), equalityDocument)
        : NOT_ASKED,
      supportNeeds: {
        language: opened.language,
        interpreterNeeded: opened.interpreterNeeded,
        accessibilityNeeds: opened.accessibilityNeeds,
        ...otherNeeds,
      },
      dependants: dependants.map((row) => ({
        dependantId: row.dependant_id,
        addedAt: row.added_at,
        ...openDocument(
          key,
          row.details_sealed,
          aad(clientId, `dependant:${row.dependant_id}`),
          dependantDocument,
        ),
      })),
    };
  }

  /**
   * The record for the case page, which has already audited the reading of the case (case.viewed); or, with
   * `section`, for one of the record's forms, audited as client.viewed with the section's name.
   */
  async record(
    session: CurrentSession,
    caseId: string,
    section?: ClientSection,
  ): Promise<InScope<ClientRecord>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      if (section) await this.audit(trx, session, scoped, 'client.viewed', { section });
      return this.load(trx, session, scoped);
    });
  }

  /**
   * The client's address, for someone whose role may see it: only ever shown when asked for, and every showing
   * is audited (why: to show it, or to change it), without the address itself.
   */
  async address(
    session: CurrentSession,
    caseId: string,
    purpose: 'show' | 'change',
  ): Promise<InScope<{ reference: string; address: Address | null }>> {
    if (!can(session.user.role, 'client:read_address')) throw new Error('client:read_address is required');
    return this.scoped(session, caseId, async (trx, scoped) => {
      const details = await findDetails(trx, session.organisationId, scoped.clientId);
      await this.audit(trx, session, scoped, 'client.address_viewed', { purpose });
      return {
        reference: scoped.reference,
        address: details?.address_sealed
          ? openDocument(scoped.key, details.address_sealed, aad(scoped.clientId, 'address'), addressDocument)
          : null,
      };
    });
  }

  private async save(
    trx: Trx,
    session: CurrentSession,
    scoped: ScopedClient,
    change: Parameters<typeof saveDetails>[3],
  ): Promise<void> {
    await saveDetails(
      trx,
      session.organisationId,
      scoped.clientId,
      change,
      session.user.userId,
      this.clock.now(),
    );
  }

  /** The client's row, read again and locked: two changes sent at once are made one after the other. */
  private async locked(trx: Trx, session: CurrentSession, scoped: ScopedClient): Promise<ClientRow> {
    const row = await lockClient(trx, session.organisationId, scoped.clientId);
    if (!row) throw new Error('the client went away during the change');
    return row;
  }

  /**
   * Changes the client's name, date of birth (or age) and gender. An age, given when the date of birth is not
   * known, is recorded with the day it was given. Nothing is written when nothing changed, so sending the form
   * twice makes one change; the audit event names the fields that changed.
   */
  async saveIdentity(
    session: CurrentSession,
    caseId: string,
    identity: Identity,
  ): Promise<InScope<IdentityField[]>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      const row = await this.locked(trx, session, scoped);
      const changed = changedIdentityFields(identityOf(rowToClient(row, scoped.key)), identity);
      if (!changed.length) return changed;
      await updateClient(trx, session.organisationId, scoped.clientId, {
        name: identity.name,
        date_of_birth: identity.dateOfBirth,
        age_at_referral: identity.age,
        age_recorded_on:
          identity.age === null
            ? null
            : changed.includes('age')
              ? ukDate(this.clock.now())
              : row.age_recorded_on,
        gender: identity.gender,
        gender_description: identity.genderDescription,
      });
      await this.audit(trx, session, scoped, 'client.updated', { section: 'identity', changed });
      return changed;
    });
  }

  /**
   * The client's contact details and every earlier version of them, for the contact form; opening it is
   * audited as client.viewed.
   */
  async safeContact(
    session: CurrentSession,
    caseId: string,
  ): Promise<InScope<{ caseId: string; reference: string; details: SafeContact; history: ContactChange[] }>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      await this.audit(trx, session, scoped, 'client.viewed', { section: 'safe_contact' });
      const rows = await contactHistory(trx, session.organisationId, scoped.clientId);
      return {
        caseId: scoped.caseId,
        reference: scoped.reference,
        details: safeContactOf(rowToClient(scoped.client, scoped.key)),
        history: rows.map((row) => ({
          changeId: row.change_id,
          changedAt: row.changed_at,
          changedBy: row.changed_by_name,
          changed: row.changed,
          previous: openDocument(
            scoped.key,
            row.previous_sealed,
            aad(scoped.clientId, `contact_history:${row.change_id}`),
            safeContactDocument,
          ),
        })),
      };
    });
  }

  /**
   * Changes how to reach the client and what is safe. The details they replace are kept, sealed, as one row of
   * the contact history (a previous number may be the one the stalker has); the new phone and email get fresh
   * blind indexes, so search and the duplicate check find the client by them and no longer by the old ones.
   * Nothing is written when nothing changed, so sending the form twice keeps one row.
   */
  async saveSafeContact(
    session: CurrentSession,
    caseId: string,
    details: SafeContact,
  ): Promise<InScope<ContactField[]>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      const row = await this.locked(trx, session, scoped);
      const before = safeContactOf(rowToClient(row, scoped.key));
      const changed = changedContactFields(before, details);
      if (!changed.length) return changed;
      const changeId = randomUUID();
      await insertContactChange(trx, {
        organisation_id: session.organisationId,
        change_id: changeId,
        client_id: scoped.clientId,
        previous_sealed: sealDocument(
          scoped.key,
          before,
          aad(scoped.clientId, `contact_history:${changeId}`),
        ),
        changed,
        changed_at: this.clock.now(),
        changed_by: session.user.userId,
      });
      await updateClient(
        trx,
        session.organisationId,
        scoped.clientId,
        safeContactColumns(details, scoped.clientId, scoped.key, scoped.organisationKey),
      );
      await this.audit(trx, session, scoped, 'client.updated', { section: 'safe_contact', changed });
      return changed;
    });
  }

  /** Replaces the names the client is also known by; each is blind-indexed for exact matching. */
  async saveOtherNames(session: CurrentSession, caseId: string, aliases: string[]): Promise<InScope<void>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      const indexKey = blindIndexKey(scoped.organisationKey);
      await this.save(trx, session, scoped, {
        aliases_sealed: aliases.length
          ? sealDocument(scoped.key, aliases, aad(scoped.clientId, 'aliases'))
          : null,
        alias_indexes: [
          ...new Map(
            aliases.map((alias) => {
              const index = blindIndex(indexKey, 'name', alias);
              return [index.toString('hex'), index];
            }),
          ).values(),
        ],
      });
      await this.audit(trx, session, scoped, 'client.updated', { section: 'other_names' });
    });
  }

  /** Records the client's address, or removes it (null). */
  async saveAddress(
    session: CurrentSession,
    caseId: string,
    address: Address | null,
  ): Promise<InScope<void>> {
    if (!can(session.user.role, 'client:read_address')) throw new Error('client:read_address is required');
    return this.scoped(session, caseId, async (trx, scoped) => {
      await this.save(trx, session, scoped, {
        address_sealed: address ? sealDocument(scoped.key, address, aad(scoped.clientId, 'address')) : null,
      });
      await this.audit(trx, session, scoped, 'client.updated', {
        section: 'address',
        change: address ? 'recorded' : 'removed',
      });
    });
  }

  async saveEquality(session: CurrentSession, caseId: string, equality: Equality): Promise<InScope<void>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      await this.save(trx, session, scoped, {
        equality_sealed: sealDocument(scoped.key, equality, aad(scoped.clientId, 'equality'), EQUALITY_BLOCK),
      });
      await this.audit(trx, session, scoped, 'client.updated', { section: 'equality' });
    });
  }

  /**
   * Language, interpreter and accessibility needs live on the client's row (the referral's answers are copied
   * there when a case opens, and the safe-contact summary reads them); the other needs are sealed beside it.
   */
  async saveSupportNeeds(
    session: CurrentSession,
    caseId: string,
    needs: SupportNeeds,
  ): Promise<InScope<void>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      await trx
        .updateTable('clients')
        .set({
          language: needs.language,
          interpreter_needed: needs.interpreterNeeded,
          accessibility_needs_sealed: sealClientField(
            scoped.key,
            scoped.clientId,
            'accessibilityNeeds',
            needs.accessibilityNeeds,
          ),
        })
        .where('organisation_id', '=', session.organisationId)
        .where('client_id', '=', scoped.clientId)
        .execute();
      await this.save(trx, session, scoped, {
        support_needs_sealed: sealDocument(
          scoped.key,
          { needs: needs.needs, details: needs.details },
          aad(scoped.clientId, 'support_needs'),
        ),
      });
      await this.audit(trx, session, scoped, 'client.updated', { section: 'support_needs' });
    });
  }

  /** Adds a child or dependant; the form's submission id becomes theirs, so sending it twice adds one. */
  async addDependant(
    session: CurrentSession,
    caseId: string,
    dependant: NewDependant,
  ): Promise<InScope<'added' | 'already_added'>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      const { submissionId, ...details } = dependant;
      const added = await insertDependant(trx, {
        organisation_id: session.organisationId,
        dependant_id: submissionId,
        client_id: scoped.clientId,
        details_sealed: sealDocument(scoped.key, details, aad(scoped.clientId, `dependant:${submissionId}`)),
        added_at: this.clock.now(),
        added_by: session.user.userId,
      });
      if (!added) return 'already_added' as const;
      await this.audit(trx, session, scoped, 'client.updated', { section: 'dependants', change: 'added' });
      return 'added' as const;
    });
  }

  /** Removes a child or dependant from the record; the row stays, marked with who removed it and when. */
  async removeDependant(
    session: CurrentSession,
    caseId: string,
    dependantId: string,
  ): Promise<InScope<boolean>> {
    return this.scoped(session, caseId, async (trx, scoped) => {
      const removed = await markDependantRemoved(
        trx,
        session.organisationId,
        scoped.clientId,
        dependantId,
        session.user.userId,
        this.clock.now(),
      );
      if (removed)
        await this.audit(trx, session, scoped, 'client.updated', {
          section: 'dependants',
          change: 'removed',
        });
      return removed;
    });
  }
}
