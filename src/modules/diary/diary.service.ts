import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.ts';
import type { DiaryOrigin } from '../../db/schema.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { DAY, type Clock } from '../../platform/clock.ts';
import { blindIndexKey } from '../../platform/crypto/blind-index.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { ukInstant } from '../cases/case-view.ts';
import { CaseScopedService, type InScope, type ScopedCase } from '../cases/case-scope.ts';
import {
  correctionAad,
  indexUnindexedVersions,
  insertEntry,
  insertEntryVersion,
  openEntryDetails,
  redactionAad,
  type EntryDetails,
  type IncidentFacts,
  type MarkedIdentifier,
  type AfterDiaryChange,
} from './diary-entry.ts';
import type { IncidentBehaviour, IncidentChannel, IncidentImpact } from './incident-types.ts';
import type { TimelineQuery } from './diary.schema.ts';
import { matches, searchKey, searchTerms, type SearchTerms } from './search-words.ts';

/** Entries on one page of the diary's timeline. */
export const PAGE_SIZE = 50;

export type DiaryDeps = { db: Db; clock: Clock; keys: KeyRing; afterChange?: AfterDiaryChange };

export type CasePerpetratorChoice = { perpetratorId: string; name: string };

export type RecordedIncident =
  { kind: 'recorded'; entryId: string; entryNumber: number; repeat: boolean } | { kind: 'stale_form' };

/** What one version of an entry says, opened. */
export type EntryVersion = {
  version: number;
  occurredFrom: Date;
  occurredTo: Date | null;
  behaviours: IncidentBehaviour[];
  impacts: IncidentImpact[];
  channel: IncidentChannel | null;
  perpetratorId: string | null;
  perpetratorName: string | null;
  reportedToPolice: boolean;
  details: EntryDetails;
  identifiers: Omit<MarkedIdentifier, 'value'>[];
  correctionReason: string | null;
  recordedBy: string;
  recordedAt: Date;
};

export type Redaction = { reason: string; by: string; at: Date };

export type TimelineEntry = {
  entryId: string;
  entryNumber: number;
  origin: DiaryOrigin;
  recordedBy: string;
  recordedAt: Date;
  versions: number;
  evidenceFiles: number;
} & (
  | {
      redaction: null;
      occurredFrom: Date;
      occurredTo: Date | null;
      behaviours: IncidentBehaviour[];
      perpetratorName: string | null;
      reportedToPolice: boolean;
      description: string;
    }
  | { redaction: Redaction }
);

export type TimelinePage = {
  caseId: string;
  reference: string;
  /** The case's perpetrators, to filter by. */
  perpetrators: CasePerpetratorChoice[];
  entries: TimelineEntry[];
  total: number;
  page: number;
  pages: number;
};

export type IdentifierMatch = { kind: 'phone' | 'email' | 'handle'; perpetratorName: string };

export type EntryRecord = {
  entryId: string;
  entryNumber: number;
  origin: DiaryOrigin;
  recordedBy: string;
  recordedAt: Date;
  evidenceFiles: number;
  /** Oldest first: version 1 is the entry as first recorded. */
  versions: EntryVersion[];
  redaction: Redaction | null;
  matches: IdentifierMatch[];
};

export type CorrectionResult =
  | { kind: 'corrected'; version: number }
  | { kind: 'changed_since' }
  | { kind: 'redacted' }
  | { kind: 'not_found' }
  | { kind: 'stale_form' };

type SearchFound = {
  shown: { row: TimelineRow; details: EntryDetails }[];
  total: number;
  page: number;
  pages: number;
};

export type DiarySummary = { entries: number; latestIncident: Date | null };

type TimelineRow = {
  entry_id: string;
  entry_number: number;
  origin: DiaryOrigin;
  recorded_at: Date;
  recorder: string | null;
  version: number;
  occurred_from: Date;
  occurred_to: Date | null;
  behaviours: string[];
  reported_to_police: boolean;
  perpetrator_name: string | null;
  details_sealed: Buffer | null;
  redacted_at: Date | null;
  redactor: string | null;
  reason_sealed: Buffer | null;
  /** How many entries matched in all, when searching by words (every row has it). */
  matching?: string;
};

const RECORDED_BY_VICTIM = 'The client';

const NO_FILTERS: TimelineQuery = {
  order: 'newest',
  behaviour: null,
  perpetratorId: null,
  reported: null,
  from: null,
  to: null,
  page: 1,
};

/**
 * The case's stalking diary: recording incidents, the timeline with its filters and search, one entry with
 * its versions, corrections and redactions. Entries are append-only (ADR 0013); every read and change is
 * audited with the entry's number and never its content.
 */
export class DiaryService extends CaseScopedService {
  private readonly afterChange: AfterDiaryChange | undefined;

  constructor(deps: DiaryDeps) {
    super(deps);
    this.afterChange = deps.afterChange;
  }

  private async sealing(trx: Trx, session: CurrentSession, kase: ScopedCase) {
    const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
    return {
      organisationId: session.organisationId,
      caseId: kase.caseId,
      key: kase.key,
      indexKey: blindIndexKey(organisationKey),
    };
  }

  private async choices(trx: Trx, organisationId: string, caseId: string): Promise<CasePerpetratorChoice[]> {
    return (await this.perpetratorsOf(trx, organisationId, caseId)).map((row) => ({
      perpetratorId: row.perpetrator_id,
      name: row.name ?? 'Name not known',
    }));
  }

  private perpetratorsOf(trx: Trx, organisationId: string, caseId: string) {
    return trx
      .selectFrom('case_perpetrators')
      .innerJoin('perpetrators', (join) =>
        join
          .onRef('perpetrators.organisation_id', '=', 'case_perpetrators.organisation_id')
          .onRef('perpetrators.perpetrator_id', '=', 'case_perpetrators.perpetrator_id'),
      )
      .select(['case_perpetrators.perpetrator_id', 'perpetrators.name'])
      .where('case_perpetrators.organisation_id', '=', organisationId)
      .where('case_perpetrators.case_id', '=', caseId)
      .orderBy('case_perpetrators.linked_at')
      .execute();
  }

  /** The case and the perpetrators an incident may be put down to, for the forms. */
  async formContext(
    session: CurrentSession,
    caseId: string,
  ): Promise<InScope<{ caseId: string; reference: string; perpetrators: CasePerpetratorChoice[] }>> {
    return this.scoped(session, caseId, async (trx, kase) => ({
      caseId: kase.caseId,
      reference: kase.reference,
      perpetrators: await this.choices(trx, session.organisationId, caseId),
    }));
  }

  /**
   * Records an incident in the case's diary on the client's behalf. The submission id makes it once only: the
   * same form sent again returns the entry it made (`repeat`); the id used on another case is `stale_form`.
   * The perpetrator, if given, must be one linked to the case.
   */
  async recordIncident(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    facts: IncidentFacts,
  ): Promise<InScope<RecordedIncident>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<RecordedIncident> => {
      if (facts.perpetratorId) {
        const linked = await this.perpetratorsOf(trx, session.organisationId, caseId);
        if (!linked.some((row) => row.perpetrator_id === facts.perpetratorId)) return { kind: 'stale_form' };
      }
      const result = await insertEntry(
        trx,
        await this.sealing(trx, session, kase),
        {
          entryId: randomUUID(),
          submissionId,
          origin: 'staff',
          recordedBy: session.user.userId,
          recordedAt: this.clock.now(),
          importId: null,
        },
        facts,
      );
      if (result.kind === 'stale') return { kind: 'stale_form' };
      if (result.kind === 'created') {
        await this.audit(trx, session, kase, 'diary.entry_recorded', { entry: result.entryNumber });
        await this.afterChange?.(trx, kase, session);
      }
      return {
        kind: 'recorded',
        entryId: result.entryId,
        entryNumber: result.entryNumber,
        repeat: result.kind === 'repeat',
      };
    });
  }

  /** For the case page: how many entries are not redacted, and when the latest incident happened. */
  async summary(session: CurrentSession, caseId: string): Promise<InScope<DiarySummary>> {
    return this.scoped(session, caseId, async (trx) => {
      const entries = await this.countMatching(trx, session.organisationId, caseId, NO_FILTERS, false);
      const latest = await sql<{ occurred_from: Date }>`
        SELECT cv.occurred_from
        FROM diary_entry_versions cv
        LEFT JOIN diary_entry_redactions r ON r.organisation_id = cv.organisation_id AND r.entry_id = cv.entry_id
        WHERE ${this.filterConditions(session.organisationId, caseId, NO_FILTERS, false)}
        ORDER BY cv.occurred_from DESC
        LIMIT 1
      `.execute(trx);
      return { entries, latestIncident: latest.rows[0]?.occurred_from ?? null };
    });
  }

  /** The conditions on an entry's current version (`cv`) and its redaction (`r`) for the filters given. */
  private filterConditions(
    organisationId: string,
    caseId: string,
    query: TimelineQuery,
    withRedacted: boolean,
  ) {
    const conditions = [
      sql`cv.organisation_id = ${organisationId}`,
      sql`cv.case_id = ${caseId}`,
      sql`NOT EXISTS (
        SELECT 1 FROM diary_entry_versions later
        WHERE later.organisation_id = cv.organisation_id AND later.entry_id = cv.entry_id
          AND later.version > cv.version
      )`,
    ];
    if (query.behaviour) conditions.push(sql`${query.behaviour} = ANY (cv.behaviours)`);
    if (query.perpetratorId) conditions.push(sql`cv.perpetrator_id = ${query.perpetratorId}`);
    if (query.reported) conditions.push(sql`cv.reported_to_police = ${query.reported === 'yes'}`);
    if (query.from)
      conditions.push(
        sql`coalesce(cv.occurred_to, cv.occurred_from) >= ${ukInstant(query.from, { hour: 0, minute: 0 })}`,
      );
    if (query.to) {
      const dayAfter = new Date(ukInstant(query.to, { hour: 12, minute: 0 }).getTime() + DAY)
        .toISOString()
        .slice(0, 10);
      conditions.push(sql`cv.occurred_from < ${ukInstant(dayAfter, { hour: 0, minute: 0 })}`);
    }
    if (!withRedacted) conditions.push(sql`r.entry_id IS NULL`);
    return sql.join(conditions, sql` AND `);
  }

  /** How many entries match the filters (their current versions), counted in SQL. */
  private async countMatching(
    trx: Trx,
    organisationId: string,
    caseId: string,
    query: TimelineQuery,
    withRedacted: boolean,
    withWords: string[] = [],
  ): Promise<number> {
    const filtered = query.behaviour || query.perpetratorId || query.reported || query.from || query.to;
    if (!filtered && !withWords.length) {
      // Every entry has one current version: without filters, counting entries (an index) is enough.
      const [entries, redacted] = await Promise.all([
        trx
          .selectFrom('diary_entries')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('organisation_id', '=', organisationId)
          .where('case_id', '=', caseId)
          .executeTakeFirstOrThrow(),
        withRedacted
          ? { count: '0' }
          : trx
              .selectFrom('diary_entry_redactions')
              .select((eb) => eb.fn.countAll<string>().as('count'))
              .where('organisation_id', '=', organisationId)
              .where('case_id', '=', caseId)
              .executeTakeFirstOrThrow(),
      ]);
      return Number(entries.count) - Number(redacted.count);
    }
    const result = await sql<{ total: string }>`
      SELECT count(*) AS total
      FROM diary_entry_versions cv
      ${this.havingWords(caseId, withWords)}
      LEFT JOIN diary_entry_redactions r ON r.organisation_id = cv.organisation_id AND r.entry_id = cv.entry_id
      WHERE ${this.filterConditions(organisationId, caseId, query, withRedacted)}
    `.execute(trx);
    return Number(result.rows[0]?.total ?? 0);
  }

  /** Joined to an entry version (`cv`): only versions indexed with every one of the word hashes (ADR 0017). */
  private havingWords(caseId: string, hashes: string[]) {
    return hashes.length
      ? sql`JOIN vigil_diary_versions_with_words(${caseId}, ${hashes}::bigint[]) w
          ON w.entry_id = cv.entry_id AND w.version = cv.version`
      : sql``;
  }

  /**
   * The current version of each entry matching the filters and having all the word hashes given, in order: one
   * page of them, or all when no page is given. The entries are chosen on narrow rows first; only their sealed
   * words and names are then read. With words, each row also says how many entries had them all.
   */
  private async timelineRows(
    trx: Trx,
    organisationId: string,
    caseId: string,
    query: TimelineQuery,
    choose: { page?: number; withWords?: string[] },
    withRedacted: boolean,
  ): Promise<TimelineRow[]> {
    const direction = sql.raw(query.order === 'oldest' ? 'ASC' : 'DESC');
    const paging =
      choose.page === undefined ? sql`` : sql`LIMIT ${PAGE_SIZE} OFFSET ${(choose.page - 1) * PAGE_SIZE}`;
    const words = choose.withWords ?? [];
    const result = await sql<TimelineRow>`
      WITH chosen AS (
        SELECT cv.entry_id, cv.version, cv.occurred_from, e.entry_number
          ${words.length ? sql`, count(*) OVER () AS matching` : sql``}
        FROM diary_entry_versions cv
        ${this.havingWords(caseId, words)}
        JOIN diary_entries e ON e.organisation_id = cv.organisation_id AND e.entry_id = cv.entry_id
        LEFT JOIN diary_entry_redactions r ON r.organisation_id = cv.organisation_id AND r.entry_id = cv.entry_id
        WHERE ${this.filterConditions(organisationId, caseId, query, withRedacted)}
        ORDER BY cv.occurred_from ${direction}, e.entry_number ${direction}
        ${paging}
      )
      SELECT e.entry_id, e.entry_number, e.origin, e.recorded_at, recorder.display_name AS recorder,
        cv.version, cv.occurred_from, cv.occurred_to, cv.behaviours, cv.reported_to_police,
        p.name AS perpetrator_name,
        CASE WHEN r.entry_id IS NULL THEN cv.details_sealed END AS details_sealed,
        r.redacted_at, redactor.display_name AS redactor, r.reason_sealed
        ${words.length ? sql`, chosen.matching` : sql``}
      FROM chosen
      JOIN diary_entry_versions cv
        ON cv.organisation_id = ${organisationId} AND cv.entry_id = chosen.entry_id AND cv.version = chosen.version
      JOIN diary_entries e ON e.organisation_id = cv.organisation_id AND e.entry_id = cv.entry_id
      LEFT JOIN diary_entry_redactions r ON r.organisation_id = cv.organisation_id AND r.entry_id = cv.entry_id
      LEFT JOIN users recorder ON recorder.organisation_id = e.organisation_id AND recorder.user_id = e.recorded_by
      LEFT JOIN users redactor ON redactor.organisation_id = r.organisation_id AND redactor.user_id = r.redacted_by
      LEFT JOIN perpetrators p ON p.organisation_id = cv.organisation_id AND p.perpetrator_id = cv.perpetrator_id
      ORDER BY chosen.occurred_from ${direction}, chosen.entry_number ${direction}
    `.execute(trx);
    return result.rows;
  }

  private async evidenceCounts(trx: Trx, organisationId: string, entryIds: string[]) {
    if (!entryIds.length) return new Map<string, number>();
    const rows = await trx
      .selectFrom('evidence_files')
      .select(['entry_id', (eb) => eb.fn.countAll<string>().as('files')])
      .where('organisation_id', '=', organisationId)
      .where('entry_id', 'in', entryIds)
      .groupBy('entry_id')
      .execute();
    return new Map(rows.map((row) => [row.entry_id, Number(row.files)]));
  }

  private toTimelineEntry(
    row: TimelineRow,
    caseId: string,
    key: Buffer,
    evidence: Map<string, number>,
    details?: EntryDetails,
  ): TimelineEntry {
    const base = {
      entryId: row.entry_id,
      entryNumber: row.entry_number,
      origin: row.origin,
      recordedBy: row.recorder ?? RECORDED_BY_VICTIM,
      recordedAt: row.recorded_at,
      versions: row.version,
      evidenceFiles: evidence.get(row.entry_id) ?? 0,
    };
    if (row.redacted_at && row.reason_sealed)
      return {
        ...base,
        redaction: {
          reason: openText(key, row.reason_sealed, redactionAad(caseId, row.entry_id)),
          by: row.redactor ?? '',
          at: row.redacted_at,
        },
      };
    const opened =
      details ?? openEntryDetails(key, caseId, row.entry_id, row.version, row.details_sealed as Buffer);
    return {
      ...base,
      redaction: null,
      occurredFrom: row.occurred_from,
      occurredTo: row.occurred_to,
      behaviours: row.behaviours as IncidentBehaviour[],
      perpetratorName: row.perpetrator_name,
      reportedToPolice: row.reported_to_police,
      description: opened.description,
    };
  }

  /**
   * One page of the case's diary, filtered. Only the current version of the entries on the page is opened;
   * the total is counted in the same query. Redacted entries keep their place in the unfiltered diary and are
   * left out of filtered views, since the filters look at what a redaction hides.
   */
  async timeline(
    session: CurrentSession,
    caseId: string,
    query: TimelineQuery,
  ): Promise<InScope<TimelinePage>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const filtered = Boolean(
        query.behaviour || query.perpetratorId || query.reported || query.from || query.to,
      );
      const total = await this.countMatching(trx, session.organisationId, caseId, query, !filtered);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const page = Math.min(query.page, pages);
      const rows = await this.timelineRows(trx, session.organisationId, caseId, query, { page }, !filtered);
      const evidence = await this.evidenceCounts(
        trx,
        session.organisationId,
        rows.map((row) => row.entry_id),
      );
      await this.audit(trx, session, kase, 'diary.viewed', {
        page,
        shown: rows.length,
        filtered,
      });
      return {
        caseId,
        reference: kase.reference,
        perpetrators: await this.choices(trx, session.organisationId, caseId),
        entries: rows.map((row) => this.toTimelineEntry(row, caseId, kase.key, evidence)),
        total,
        page,
        pages,
      };
    });
  }

  /**
   * Searches the words of the case's entries (not redacted) for every one of `words`, each as the start of a
   * word, ignoring case and accents (ADR 0017). The keyed word index finds the entries that match; only the
   * entries shown are opened, and checked. The words are never written anywhere.
   */
  async search(
    session: CurrentSession,
    caseId: string,
    query: TimelineQuery,
    words: string,
  ): Promise<InScope<TimelinePage>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const organisationId = session.organisationId;
      await indexUnindexedVersions(trx, { organisationId, caseId, key: kase.key });
      const terms = searchTerms(searchKey(kase.key), words);
      const found =
        (terms.exact && (await this.foundByIndex(trx, organisationId, caseId, kase.key, query, terms))) ||
        (await this.foundByOpening(trx, organisationId, caseId, kase.key, query, terms));
      const evidence = await this.evidenceCounts(
        trx,
        organisationId,
        found.shown.map(({ row }) => row.entry_id),
      );
      await this.audit(trx, session, kase, 'diary.searched', { found: found.total, page: found.page });
      return {
        caseId,
        reference: kase.reference,
        perpetrators: await this.choices(trx, organisationId, caseId),
        entries: found.shown.map(({ row, details }) =>
          this.toTimelineEntry(row, caseId, kase.key, evidence, details),
        ),
        total: found.total,
        page: found.page,
        pages: found.pages,
      };
    });
  }

  /**
   * When the index says exactly which entries match (every word typed is indexed whole), it counts and pages
   * them in the database, and only the page's entries are opened. They are checked all the same: should a
   * hash ever collide with another word's, null is returned and the search opens every candidate instead.
   */
  private async foundByIndex(
    trx: Trx,
    organisationId: string,
    caseId: string,
    key: Buffer,
    query: TimelineQuery,
    terms: SearchTerms,
  ): Promise<SearchFound | null> {
    const pageOf = (page: number) =>
      this.timelineRows(trx, organisationId, caseId, query, { page, withWords: terms.hashes }, false);
    let rows = await pageOf(query.page);
    const total = rows.length
      ? Number(rows[0]!.matching)
      : await this.countMatching(trx, organisationId, caseId, query, false, terms.hashes);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(query.page, pages);
    // A page past the end (the diary changed since the link was made) shows the last page instead.
    if (page !== query.page) rows = await pageOf(page);
    const shown = rows.map((row) => ({ row, details: this.openDetails(row, caseId, key) }));
    if (!shown.every(({ details }) => matches(terms, details))) return null;
    return { shown, total, page, pages };
  }

  /**
   * Otherwise (a word longer than its indexed start) the index narrows the entries down, and each candidate is
   * opened to check it. Punctuation alone is no word, and finds nothing.
   */
  private async foundByOpening(
    trx: Trx,
    organisationId: string,
    caseId: string,
    key: Buffer,
    query: TimelineQuery,
    terms: SearchTerms,
  ): Promise<SearchFound> {
    const candidates = terms.words.length
      ? await this.timelineRows(trx, organisationId, caseId, query, { withWords: terms.hashes }, false)
      : [];
    const matched = candidates
      .map((row) => ({ row, details: this.openDetails(row, caseId, key) }))
      .filter(({ details }) => matches(terms, details));
    const pages = Math.max(1, Math.ceil(matched.length / PAGE_SIZE));
    const page = Math.min(query.page, pages);
    return {
      shown: matched.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      total: matched.length,
      page,
      pages,
    };
  }

  private openDetails(row: TimelineRow, caseId: string, key: Buffer): EntryDetails {
    return openEntryDetails(key, caseId, row.entry_id, row.version, row.details_sealed as Buffer);
  }

  private async findEntry(trx: Trx, organisationId: string, caseId: string, entryId: string) {
    return trx
      .selectFrom('diary_entries')
      .leftJoin('users', (join) =>
        join
          .onRef('users.organisation_id', '=', 'diary_entries.organisation_id')
          .onRef('users.user_id', '=', 'diary_entries.recorded_by'),
      )
      .select([
        'diary_entries.entry_id',
        'diary_entries.entry_number',
        'diary_entries.origin',
        'diary_entries.recorded_at',
        'users.display_name as recorder',
      ])
      .where('diary_entries.organisation_id', '=', organisationId)
      .where('diary_entries.case_id', '=', caseId)
      .where('diary_entries.entry_id', '=', entryId)
      .executeTakeFirst();
  }

  private async redactionOf(trx: Trx, organisationId: string, caseId: string, entryId: string, key: Buffer) {
    const row = await trx
      .selectFrom('diary_entry_redactions')
      .innerJoin('users', (join) =>
        join
          .onRef('users.organisation_id', '=', 'diary_entry_redactions.organisation_id')
          .onRef('users.user_id', '=', 'diary_entry_redactions.redacted_by'),
      )
      .select(['reason_sealed', 'redacted_at', 'users.display_name'])
      .where('diary_entry_redactions.organisation_id', '=', organisationId)
      .where('diary_entry_redactions.entry_id', '=', entryId)
      .executeTakeFirst();
    return row
      ? {
          reason: openText(key, row.reason_sealed, redactionAad(caseId, entryId)),
          by: row.display_name,
          at: row.redacted_at,
        }
      : null;
  }

  /**
   * One entry: every version opened (oldest first), or only the redaction if it was redacted; and the
   * perpetrators linked to this case whose phone numbers, emails or handles match the current version's.
   */
  async entry(
    session: CurrentSession,
    caseId: string,
    entryId: string,
  ): Promise<InScope<EntryRecord | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const organisationId = session.organisationId;
      const entry = await this.findEntry(trx, organisationId, caseId, entryId);
      if (!entry) return null;
      const redaction = await this.redactionOf(trx, organisationId, caseId, entryId, kase.key);
      const versions = redaction ? [] : await this.versionsOf(trx, organisationId, caseId, entryId, kase.key);
      const current = versions.at(-1);
      const matches = current
        ? await trx
            .selectFrom('diary_entry_identifiers as di')
            .innerJoin('perpetrator_identifiers as pi', (join) =>
              join
                .onRef('pi.organisation_id', '=', 'di.organisation_id')
                .onRef('pi.kind', '=', 'di.kind')
                .onRef('pi.index', '=', 'di.index'),
            )
            .innerJoin('case_perpetrators as cp', (join) =>
              join
                .onRef('cp.organisation_id', '=', 'pi.organisation_id')
                .onRef('cp.perpetrator_id', '=', 'pi.perpetrator_id'),
            )
            .innerJoin('perpetrators as p', (join) =>
              join
                .onRef('p.organisation_id', '=', 'pi.organisation_id')
                .onRef('p.perpetrator_id', '=', 'pi.perpetrator_id'),
            )
            .select(['di.kind', 'p.name'])
            .distinct()
            .where('di.organisation_id', '=', organisationId)
            .where('di.entry_id', '=', entryId)
            .where('di.version', '=', current.version)
            .where('cp.case_id', '=', caseId)
            .execute()
        : [];
      const evidence = await this.evidenceCounts(trx, organisationId, [entryId]);
      await this.audit(trx, session, kase, 'diary.entry_viewed', { entry: entry.entry_number });
      return {
        entryId,
        entryNumber: entry.entry_number,
        origin: entry.origin,
        recordedBy: entry.recorder ?? RECORDED_BY_VICTIM,
        recordedAt: entry.recorded_at,
        evidenceFiles: evidence.get(entryId) ?? 0,
        versions,
        redaction,
        matches: matches.map((match) => ({
          kind: match.kind,
          perpetratorName: match.name ?? 'a perpetrator whose name is not known',
        })),
      };
    });
  }

  private async versionsOf(
    trx: Trx,
    organisationId: string,
    caseId: string,
    entryId: string,
    key: Buffer,
  ): Promise<EntryVersion[]> {
    const [rows, identifiers] = await Promise.all([
      trx
        .selectFrom('diary_entry_versions as v')
        .leftJoin('users as u', (join) =>
          join.onRef('u.organisation_id', '=', 'v.organisation_id').onRef('u.user_id', '=', 'v.recorded_by'),
        )
        .leftJoin('perpetrators as p', (join) =>
          join
            .onRef('p.organisation_id', '=', 'v.organisation_id')
            .onRef('p.perpetrator_id', '=', 'v.perpetrator_id'),
        )
        .selectAll('v')
        .select(['u.display_name as recorder', 'p.name as perpetrator_name'])
        .where('v.organisation_id', '=', organisationId)
        .where('v.entry_id', '=', entryId)
        .orderBy('v.version')
        .execute(),
      trx
        .selectFrom('diary_entry_identifiers')
        .select(['version', 'kind', 'platform'])
        .where('organisation_id', '=', organisationId)
        .where('entry_id', '=', entryId)
        .execute(),
    ]);
    return rows.map((row) => ({
      version: row.version,
      occurredFrom: row.occurred_from,
      occurredTo: row.occurred_to,
      behaviours: row.behaviours as IncidentBehaviour[],
      impacts: row.impacts as IncidentImpact[],
      channel: row.channel as IncidentChannel | null,
      perpetratorId: row.perpetrator_id,
      perpetratorName: row.perpetrator_id ? (row.perpetrator_name ?? 'Name not known') : null,
      reportedToPolice: row.reported_to_police,
      details: openEntryDetails(key, caseId, entryId, row.version, row.details_sealed),
      identifiers: identifiers
        .filter((identifier) => identifier.version === row.version)
        .map(({ kind, platform }) => ({ kind, platform })),
      correctionReason: row.correction_reason_sealed
        ? openText(key, row.correction_reason_sealed, correctionAad(caseId, entryId, row.version))
        : null,
      recordedBy: row.recorder ?? RECORDED_BY_VICTIM,
      recordedAt: row.recorded_at,
    }));
  }

  /**
   * Corrects an entry by adding the next version with its reason. `correcting` is the version the form was
   * opened on: if the entry has moved on since (a second click, or someone else's correction), nothing is
   * written and the caller is shown the entry as it now stands.
   */
  async correct(
    session: CurrentSession,
    caseId: string,
    entryId: string,
    correcting: number,
    facts: IncidentFacts,
    reason: string,
  ): Promise<InScope<CorrectionResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<CorrectionResult> => {
      const organisationId = session.organisationId;
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`diary:${caseId}`}, 13))`.execute(trx);
      const entry = await this.findEntry(trx, organisationId, caseId, entryId);
      if (!entry) return { kind: 'not_found' };
      if (await this.redactionOf(trx, organisationId, caseId, entryId, kase.key)) return { kind: 'redacted' };
      if (facts.perpetratorId) {
        const linked = await this.perpetratorsOf(trx, organisationId, caseId);
        if (!linked.some((row) => row.perpetrator_id === facts.perpetratorId)) return { kind: 'stale_form' };
      }
      const { latest } = await trx
        .selectFrom('diary_entry_versions')
        .select((eb) => eb.fn.max<number>('version').as('latest'))
        .where('organisation_id', '=', organisationId)
        .where('entry_id', '=', entryId)
        .executeTakeFirstOrThrow();
      if (latest !== correcting) return { kind: 'changed_since' };
      const version = latest + 1;
      await insertEntryVersion(
        trx,
        await this.sealing(trx, session, kase),
        { entryId, version, recordedBy: session.user.userId, recordedAt: this.clock.now() },
        facts,
        reason,
      );
      await this.audit(trx, session, kase, 'diary.entry_corrected', { entry: entry.entry_number, version });
      await this.afterChange?.(trx, kase, session);
      return { kind: 'corrected', version };
    });
  }

  /** Redacts an entry with its reason: kept, with its versions, for audit; shown as redacted. Once only. */
  async redact(
    session: CurrentSession,
    caseId: string,
    entryId: string,
    reason: string,
  ): Promise<InScope<'redacted' | 'already_redacted' | 'not_found'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const entry = await this.findEntry(trx, session.organisationId, caseId, entryId);
      if (!entry) return 'not_found' as const;
      const inserted = await trx
        .insertInto('diary_entry_redactions')
        .values({
          organisation_id: session.organisationId,
          entry_id: entryId,
          case_id: caseId,
          reason_sealed: seal(kase.key, reason, redactionAad(caseId, entryId)),
          redacted_by: session.user.userId,
          redacted_at: this.clock.now(),
        })
        .onConflict((conflict) => conflict.columns(['organisation_id', 'entry_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return 'already_redacted' as const;
      await this.audit(trx, session, kase, 'diary.entry_redacted', { entry: entry.entry_number });
      return 'redacted' as const;
    });
  }

  /** The entry's number and whether it is redacted, for the redaction form (not audited: nothing said is shown). */
  async entryHeading(
    session: CurrentSession,
    caseId: string,
    entryId: string,
  ): Promise<InScope<{ entryNumber: number; redacted: boolean } | null>> {
    return this.scoped(session, caseId, async (trx) => {
      const entry = await this.findEntry(trx, session.organisationId, caseId, entryId);
      if (!entry) return null;
      const redacted = await trx
        .selectFrom('diary_entry_redactions')
        .select('entry_id')
        .where('organisation_id', '=', session.organisationId)
        .where('entry_id', '=', entryId)
        .executeTakeFirst();
      return { entryNumber: entry.entry_number, redacted: Boolean(redacted) };
    });
  }
}
