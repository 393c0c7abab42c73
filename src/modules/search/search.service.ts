import { sql } from 'kysely';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { CaseStatus } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';
import { blindIndex, blindIndexKey } from '../../platform/crypto/blind-index.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { can } from '../../platform/permissions.ts';
import { casesInScope } from '../cases/cases.repository.ts';
import { clientsKnownAs } from '../clients/client-record.repository.ts';

/** At most this many results, whatever matches: search finds someone, it never lists everyone. */
export const SEARCH_RESULT_LIMIT = 20;

export type SearchKind = 'reference' | 'email' | 'phone' | 'name';

/** What the person typed is: a case reference, an email, a phone number, or a name. */
export function classifySearch(term: string): SearchKind {
  const trimmed = term.trim();
  // With its dash, anything shaped like a reference is one (some have no digits); without, it could be a name.
  if (/^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/.test(trimmed)) return 'reference';
  if (/^[A-Za-z0-9]{8}$/.test(trimmed) && /\d/.test(trimmed)) return 'reference';
  if (trimmed.includes('@') && /\S+@\S+\.\S+/.test(trimmed)) return 'email';
  if ((trimmed.match(/\d/g) ?? []).length >= 7 && /^[\d\s+()-]+$/.test(trimmed)) return 'phone';
  return 'name';
}

const PERPETRATOR_MATCH: Record<Exclude<SearchKind, 'reference'>, string> = {
  name: 'Name of the person responsible',
  phone: 'Phone number of the person responsible',
  email: 'Email address of the person responsible',
};

export type SearchResult = {
  caseId: string;
  reference: string;
  clientName: string;
  status: CaseStatus;
  allocatedToName: string | null;
  matchedOn: string;
};

export type SearchOutcome = {
  kind: SearchKind;
  results: SearchResult[];
  capped: boolean;
  /** A case with exactly this reference that is outside the caller's scope: they may open it with a reason. */
  outsideScope: { caseId: string; reference: string } | null;
};

/**
 * Finds cases by reference, client or perpetrator name (fuzzy, pg_trgm), or exact phone or email of either
 * (blind indexes). Results are
 * capped and scoped: caseworkers find only cases on their caseload; managers any in the organisation. Every
 * search is audited by kind, never with the words searched for.
 */
export class SearchService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
  }

  /** Searches and records that the caller searched (the kind of search and how many it found, never the words). */
  async search(session: CurrentSession, term: string): Promise<SearchOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const found = await this.findIn(trx, session, term);
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'case.searched',
          details: { kind: found.kind, results: found.results.length },
        },
        this.clock.now(),
      );
      return found;
    });
  }

  /** The search itself, in the caller's transaction, without its audit event. */
  async findIn(trx: Trx, session: CurrentSession, term: string): Promise<SearchOutcome> {
    const kind = classifySearch(term);
    const indexKey = blindIndexKey(await this.keys.organisationKey(trx, session.organisationId));
    const now = this.clock.now();
    const trimmed = term.trim();
    const reference = trimmed.toUpperCase().replace(/^([A-Z0-9]{4})-?([A-Z0-9]{4})$/, '$1-$2');
    const inScope = () => casesInScope(trx, session, now);
    // Names match with pg_trgm's % (its default threshold, 0.3), through functions that can use the trigram
    // index under row-level security (see the name-search migration).
    const namedClient = sql<boolean>`clients.client_id IN (SELECT vigil_clients_named(${trimmed}))`;
    const knownAs =
      kind === 'name'
        ? await clientsKnownAs(trx, session.organisationId, blindIndex(indexKey, 'name', term))
        : [];
    const byCase = (() => {
      switch (kind) {
        case 'reference':
          return { query: inScope().where('cases.reference', '=', reference), matchedOn: 'Case reference' };
        case 'email':
          return {
            query: inScope().where('clients.email_index', '=', blindIndex(indexKey, 'email', term)),
            matchedOn: 'Email address',
          };
        case 'phone':
          return {
            query: inScope().where('clients.phone_index', '=', blindIndex(indexKey, 'phone', term)),
            matchedOn: 'Phone number',
          };
        case 'name':
          return {
            query: inScope()
              // Other names are sealed, so they match only in full (by their blind index), never fuzzily.
              .where((eb) =>
                knownAs.length ? eb.or([namedClient, eb('clients.client_id', 'in', knownAs)]) : namedClient,
              )
              .orderBy(sql`similarity(clients.name, ${trimmed})`, 'desc'),
            matchedOn: 'Name',
          };
      }
    })();
    const clientRows = (
      await byCase.query
        .select('clients.client_id')
        .orderBy('cases.opened_at', 'desc')
        .limit(SEARCH_RESULT_LIMIT + 1)
        .execute()
    ).map((row) => ({
      ...row,
      matchedOn: knownAs.includes(row.client_id) ? 'Other name' : byCase.matchedOn,
    }));

    // The same words may be the person responsible's: their name (fuzzy), or a phone or email on their record.
    const perpetratorRows =
      kind === 'reference' || !can(session.user.role, 'perpetrator:read')
        ? []
        : (
            await inScope()
              .where((eb) =>
                eb.exists(
                  eb
                    .selectFrom('case_perpetrators')
                    .innerJoin('perpetrators', (join) =>
                      join
                        .onRef('perpetrators.organisation_id', '=', 'case_perpetrators.organisation_id')
                        .onRef('perpetrators.perpetrator_id', '=', 'case_perpetrators.perpetrator_id'),
                    )
                    .select(sql.lit(1).as('one'))
                    .whereRef('case_perpetrators.organisation_id', '=', 'cases.organisation_id')
                    .whereRef('case_perpetrators.case_id', '=', 'cases.case_id')
                    .where((inner) =>
                      kind === 'name'
                        ? sql<boolean>`perpetrators.perpetrator_id IN (SELECT vigil_perpetrators_named(${trimmed}))`
                        : inner.exists(
                            inner
                              .selectFrom('perpetrator_identifiers')
                              .select(sql.lit(1).as('one'))
                              .whereRef(
                                'perpetrator_identifiers.organisation_id',
                                '=',
                                'perpetrators.organisation_id',
                              )
                              .whereRef(
                                'perpetrator_identifiers.perpetrator_id',
                                '=',
                                'perpetrators.perpetrator_id',
                              )
                              .where('perpetrator_identifiers.kind', '=', kind)
                              .where('perpetrator_identifiers.index', '=', blindIndex(indexKey, kind, term)),
                          ),
                    ),
                ),
              )
              .orderBy('cases.opened_at', 'desc')
              .limit(SEARCH_RESULT_LIMIT + 1)
              .execute()
          ).map((row) => ({ ...row, matchedOn: PERPETRATOR_MATCH[kind] }));

    const seen = new Set<string>();
    const rows = [...clientRows, ...perpetratorRows].filter((row) => {
      if (seen.has(row.case_id)) return false;
      seen.add(row.case_id);
      return true;
    });
    // Someone covering for a colleague knows the reference; they see that the case exists, nothing more.
    const outsideScope =
      kind === 'reference' && rows.length === 0
        ? ((await trx
            .selectFrom('cases')
            .select(['case_id as caseId', 'reference'])
            .where('organisation_id', '=', session.organisationId)
            .where('reference', '=', reference)
            .executeTakeFirst()) ?? null)
        : null;
    return {
      kind,
      capped: rows.length > SEARCH_RESULT_LIMIT,
      results: rows.slice(0, SEARCH_RESULT_LIMIT).map((row) => ({
        caseId: row.case_id,
        reference: row.reference,
        clientName: row.name,
        status: row.status,
        allocatedToName: row.display_name,
        matchedOn: row.matchedOn,
      })),
      outsideScope,
    };
  }
}
