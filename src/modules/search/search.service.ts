import { sql } from 'kysely';
import { inOrganisation, type Db } from '../../db/database.ts';
import type { CaseStatus } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';
import { blindIndex, blindIndexKey } from '../../platform/crypto/blind-index.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { casesInScope } from '../cases/cases.repository.ts';
import { clientsKnownAs } from '../clients/client-record.repository.ts';

/** At most this many results, whatever matches: search finds someone, it never lists everyone. */
export const SEARCH_RESULT_LIMIT = 20;

export type SearchKind = 'reference' | 'email' | 'phone' | 'name';

/** What the person typed is: a case reference, an email, a phone number, or a name. */
export function classifySearch(term: string): SearchKind {
  const trimmed = term.trim();
  if (/^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$/.test(trimmed) && /\d/.test(trimmed)) return 'reference';
  if (trimmed.includes('@') && /\S+@\S+\.\S+/.test(trimmed)) return 'email';
  if ((trimmed.match(/\d/g) ?? []).length >= 7 && /^[\d\s+()-]+$/.test(trimmed)) return 'phone';
  return 'name';
}

export type SearchResult = {
  caseId: string;
  reference: string;
  clientName: string;
  status: CaseStatus;
  allocatedToName: string | null;
  matchedOn: string;
};

/**
 * Finds cases by reference, client name (fuzzy, pg_trgm), or exact phone or email (blind indexes). Results are
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

  async search(
    session: CurrentSession,
    term: string,
  ): Promise<{ kind: SearchKind; results: SearchResult[]; capped: boolean }> {
    const kind = classifySearch(term);
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const indexKey = blindIndexKey(await this.keys.organisationKey(trx, session.organisationId));
      let query = casesInScope(trx, session).select('clients.client_id');
      let matchedOn: string;
      let otherNameMatches = new Set<string>();
      switch (kind) {
        case 'reference': {
          const reference = term
            .trim()
            .toUpperCase()
            .replace(/^([A-Z0-9]{4})-?([A-Z0-9]{4})$/, '$1-$2');
          query = query.where('cases.reference', '=', reference);
          matchedOn = 'Case reference';
          break;
        }
        case 'email':
          query = query.where('clients.email_index', '=', blindIndex(indexKey, 'email', term));
          matchedOn = 'Email address';
          break;
        case 'phone':
          query = query.where('clients.phone_index', '=', blindIndex(indexKey, 'phone', term));
          matchedOn = 'Phone number';
          break;
        case 'name': {
          // Other names are sealed, so they match only in full (by their blind index), never fuzzily.
          const knownAs = await clientsKnownAs(
            trx,
            session.organisationId,
            blindIndex(indexKey, 'name', term),
          );
          otherNameMatches = new Set(knownAs);
          query = query
            // The % operator uses the trigram index (its threshold is pg_trgm's default, 0.3).
            .where((eb) =>
              knownAs.length
                ? eb.or([sql<boolean>`clients.name % ${term.trim()}`, eb('clients.client_id', 'in', knownAs)])
                : sql<boolean>`clients.name % ${term.trim()}`,
            )
            .orderBy(sql`similarity(clients.name, ${term.trim()})`, 'desc');
          matchedOn = 'Name';
          break;
        }
      }
      const rows = await query
        .orderBy('cases.opened_at', 'desc')
        .limit(SEARCH_RESULT_LIMIT + 1)
        .execute();
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'case.searched',
          details: { kind, results: Math.min(rows.length, SEARCH_RESULT_LIMIT) },
        },
        this.clock.now(),
      );
      return {
        kind,
        capped: rows.length > SEARCH_RESULT_LIMIT,
        results: rows.slice(0, SEARCH_RESULT_LIMIT).map((row) => ({
          caseId: row.case_id,
          reference: row.reference,
          clientName: row.name,
          status: row.status,
          allocatedToName: row.display_name,
          matchedOn: otherNameMatches.has(row.client_id) ? 'Other name' : matchedOn,
        })),
      };
    });
  }
}
