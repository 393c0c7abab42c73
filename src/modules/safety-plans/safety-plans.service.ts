import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { CaseScopedService, type InScope, type ScopedCase } from '../cases/case-scope.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import { perpetratorsOfCase } from '../perpetrators/perpetrators.repository.ts';
import {
  applyChange,
  changeSummary,
  emptyPlan,
  openActionCount,
  planShape,
  type Plan,
  type PlanChange,
} from './plan.ts';
import { portalPlan, type PortalPlan } from './portal-view.ts';
import { safeToPrint, type PrintablePlan } from './print-view.ts';
import {
  insertVersion,
  latestVersion,
  openReviewTask,
  versionBySubmission,
  versionList,
  versionOf,
  type VersionRow,
} from './safety-plans.repository.ts';
import { SECTIONS } from './sections.ts';
import {
  sharedWords,
  sharingContextOf,
  sharingProblem,
  type SharingContext,
  type SharingProblem,
} from './sharing.ts';

export const REVIEW_TASK_TITLE = 'Review the safety plan';

/** A version of a case's plan, opened. */
export type PlanVersion = {
  versionNumber: number;
  plan: Plan;
  changeSummary: string;
  reviewOn: string | null;
  savedAt: Date;
  savedBy: string;
};

/** What the case page shows of the plan, with nothing from inside it but a count. */
export type CaseSafetyPlan = {
  versionNumber: number;
  savedAt: Date;
  savedBy: string;
  reviewOn: string | null;
  openActions: number;
} | null;

export type CurrentPlan = {
  reference: string;
  /** Null while the case has no plan. */
  current: PlanVersion | null;
  /** What may not be shared, to say why a shared action is held back from the client. */
  sharing: SharingContext;
};

export type VersionSummary = {
  versionNumber: number;
  changeSummary: string;
  reviewOn: string | null;
  savedAt: Date;
  savedBy: string;
};

export type SaveResult =
  | { kind: 'saved'; versionNumber: number }
  | { kind: 'unchanged' }
  /** The form was opened on an older version than the latest: nothing saved. */
  | { kind: 'changed_since'; versionNumber: number; savedBy: string; savedAt: Date }
  /** The submission id was used on another case: an altered form. */
  | { kind: 'stale_form' }
  /** Actions marked shared whose words may not be shown to the client or printed. */
  | { kind: 'not_shareable'; problems: { actionId: string; problem: SharingProblem }[] };

const planAad = (caseId: string, versionNumber: number) => `case:${caseId}:safety-plan:${versionNumber}`;

/** Plans are padded to this many bytes, so a version's length says little about how much it holds. */
const PAD_BLOCK = 1024;

/**
 * A case's safety plan, built by the caseworker with the client and kept as whole, sealed versions that are
 * never changed: each save writes the next. A save made from an older version than the latest is refused, so
 * nobody overwrites a change they have not seen. Every operation is within the caller's record scope and
 * audited in the same transaction, never with what the plan says.
 */
export class SafetyPlanService extends CaseScopedService {
  private open(kase: ScopedCase, row: VersionRow): PlanVersion {
    return {
      versionNumber: row.version_number,
      plan: openDocument(kase.key, row.plan_sealed, planAad(kase.caseId, row.version_number), planShape),
      changeSummary: row.change_summary,
      reviewOn: row.review_on,
      savedAt: row.created_at,
      savedBy: row.created_by_name,
    };
  }

  private async perpetratorNames(trx: Trx, session: CurrentSession, caseId: string): Promise<string[]> {
    const rows = await perpetratorsOfCase(trx, session.organisationId, caseId);
    return rows.flatMap((row) => [...(row.name ? [row.name] : []), ...row.aliases]);
  }

  /** For the case page (whose reading is audited as case.viewed): the latest version's who, when and counts. */
  async forCase(session: CurrentSession, caseId: string): Promise<InScope<CaseSafetyPlan>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await latestVersion(trx, session.organisationId, caseId);
      if (!row) return null;
      const version = this.open(kase, row);
      return {
        versionNumber: version.versionNumber,
        savedAt: version.savedAt,
        savedBy: version.savedBy,
        reviewOn: version.reviewOn,
        openActions: openActionCount(version.plan),
      };
    });
  }

  /**
   * The plan as it is now, to show or to change: `action` says which (safety_plan.viewed for the plan's page,
   * safety_plan.change_opened for a page that changes it), and `section` which part a change page shows.
   */
  async current(
    session: CurrentSession,
    caseId: string,
    action: 'safety_plan.viewed' | 'safety_plan.change_opened',
    section?: string,
  ): Promise<InScope<CurrentPlan>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await latestVersion(trx, session.organisationId, caseId);
      const current = row ? this.open(kase, row) : null;
      await this.audit(trx, session, kase, action, {
        version: current?.versionNumber ?? null,
        ...(section ? { section } : {}),
      });
      return {
        reference: kase.reference,
        current,
        sharing: sharingContextOf(
          current?.plan ?? emptyPlan(),
          await this.perpetratorNames(trx, session, caseId),
        ),
      };
    });
  }

  /** Every version, newest first: who saved it, when, and what changed. */
  async history(
    session: CurrentSession,
    caseId: string,
  ): Promise<InScope<{ reference: string; versions: VersionSummary[] }>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const rows = await versionList(trx, session.organisationId, caseId);
      await this.audit(trx, session, kase, 'safety_plan.history_viewed', { versions: rows.length });
      return {
        reference: kase.reference,
        versions: rows.map((row) => ({
          versionNumber: row.version_number,
          changeSummary: row.change_summary,
          reviewOn: row.review_on,
          savedAt: row.created_at,
          savedBy: row.created_by_name,
        })),
      };
    });
  }

  /** One version as it was saved, with the number of the latest; null if there is no such version. */
  async version(
    session: CurrentSession,
    caseId: string,
    versionNumber: number,
  ): Promise<
    InScope<{ reference: string; version: PlanVersion; latest: number; sharing: SharingContext } | null>
  > {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await versionOf(trx, session.organisationId, caseId, versionNumber);
      if (!row) return null;
      const latest = await latestVersion(trx, session.organisationId, caseId);
      await this.audit(trx, session, kase, 'safety_plan.version_viewed', { version: versionNumber });
      const version = this.open(kase, row);
      return {
        reference: kase.reference,
        version,
        latest: latest?.version_number ?? versionNumber,
        sharing: sharingContextOf(version.plan, await this.perpetratorNames(trx, session, caseId)),
      };
    });
  }

  /** The latest version as it may be printed for the client; null while there is no plan. */
  async printable(session: CurrentSession, caseId: string): Promise<InScope<PrintablePlan | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await latestVersion(trx, session.organisationId, caseId);
      if (!row) return null;
      const { plan, versionNumber } = this.open(kase, row);
      const printed = safeToPrint(
        plan,
        sharingContextOf(plan, await this.perpetratorNames(trx, session, caseId)),
      );
      await this.audit(trx, session, kase, 'safety_plan.printed', {
        version: versionNumber,
        actions: printed.sections.reduce((count, section) => count + section.actions.length, 0),
      });
      return printed;
    });
  }

  /**
   * What the client will see in the victim portal (not served by any route yet). Not audited here: the portal
   * that shows it will audit its own reading.
   */
  async portalView(session: CurrentSession, caseId: string): Promise<InScope<PortalPlan | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await latestVersion(trx, session.organisationId, caseId);
      if (!row) return null;
      const { plan } = this.open(kase, row);
      return portalPlan(plan, sharingContextOf(plan, await this.perpetratorNames(trx, session, caseId)));
    });
  }

  /**
   * The plan's review task: moved to the new date when one is open, otherwise made for whoever holds the case
   * (or the person saving when nobody does), so there is one open review task at a time.
   */
  private async reviewTask(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    reviewOn: string,
  ): Promise<{ taskId: string; outcome: 'moved' | 'created' }> {
    const organisationId = session.organisationId;
    const open = await openReviewTask(trx, organisationId, kase.caseId);
    if (open) {
      await trx
        .updateTable('tasks')
        .set({ due_on: reviewOn })
        .where('organisation_id', '=', organisationId)
        .where('task_id', '=', open.task_id)
        .execute();
      return { taskId: open.task_id, outcome: 'moved' };
    }
    const holder = kase.allocatedTo
      ? await trx
          .selectFrom('users')
          .select('user_id')
          .where('organisation_id', '=', organisationId)
          .where('user_id', '=', kase.allocatedTo)
          .where('status', '=', 'active')
          .where('role', 'in', ['caseworker', 'manager'])
          .executeTakeFirst()
      : undefined;
    const taskId = randomUUID();
    await trx
      .insertInto('tasks')
      .values({
        organisation_id: organisationId,
        task_id: taskId,
        case_id: kase.caseId,
        title: REVIEW_TASK_TITLE,
        due_on: reviewOn,
        owner_id: holder?.user_id ?? session.user.userId,
        created_by: session.user.userId,
        created_at: this.clock.now(),
        completed_at: null,
        completed_by: null,
      })
      .execute();
    return { taskId, outcome: 'created' };
  }

  /**
   * Saves a change as the plan's next version, made on `basedOn` (the version the form was opened on, 0 for
   * none). The submission id makes a double submit one version. A form opened on an older version than the
   * latest is refused with who changed it and when; nothing is saved. Actions marked shared must not hold an
   * address, a postcode, the name of the person responsible, the code word or a contact's phone number.
   */
  async save(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    basedOn: number,
    change: PlanChange,
  ): Promise<InScope<SaveResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<SaveResult> => {
      const organisationId = session.organisationId;
      // One save at a time per plan, so versions are numbered and compared in order.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`safety-plan:${caseId}`}, 0))`.execute(trx);
      const already = await versionBySubmission(trx, organisationId, submissionId);
      if (already)
        return already.case_id === caseId
          ? { kind: 'saved', versionNumber: already.version_number }
          : { kind: 'stale_form' };
      const latestRow = await latestVersion(trx, organisationId, caseId);
      const latest = latestRow ? this.open(kase, latestRow) : null;
      if (latest && basedOn < latest.versionNumber)
        return {
          kind: 'changed_since',
          versionNumber: latest.versionNumber,
          savedBy: latest.savedBy,
          savedAt: latest.savedAt,
        };
      // A version the plan has not reached yet: the form was altered.
      if (basedOn !== (latest?.versionNumber ?? 0)) return { kind: 'stale_form' };

      const before = latest?.plan ?? null;
      const after = applyChange(before ?? emptyPlan(), change);
      if (change.kind === 'section') {
        const context = sharingContextOf(after, await this.perpetratorNames(trx, session, caseId));
        const problems = after.sections[change.section].flatMap((action) => {
          const problem = action.shared ? sharingProblem(sharedWords(action), context) : null;
          return problem ? [{ actionId: action.actionId, problem }] : [];
        });
        if (problems.length) return { kind: 'not_shareable', problems };
      }
      const summary = changeSummary(before, after);
      if (!summary) return { kind: 'unchanged' };

      let reviewTaskId = latestRow?.review_task_id ?? null;
      let reviewTask: 'moved' | 'created' | null = null;
      if (after.reviewOn === null) reviewTaskId = null;
      else if (after.reviewOn !== (before?.reviewOn ?? null)) {
        const task = await this.reviewTask(trx, session, kase, after.reviewOn);
        reviewTaskId = task.taskId;
        reviewTask = task.outcome;
      }
      const versionNumber = (latest?.versionNumber ?? 0) + 1;
      await insertVersion(trx, {
        organisationId,
        caseId,
        versionNumber,
        planSealed: sealDocument(kase.key, after, planAad(caseId, versionNumber), PAD_BLOCK),
        changeSummary: summary,
        reviewOn: after.reviewOn,
        reviewTaskId,
        createdBy: session.user.userId,
        createdAt: this.clock.now(),
        submissionId,
      });
      await this.audit(trx, session, kase, 'safety_plan.saved', {
        version: versionNumber,
        ...(change.kind === 'section' ? { section: change.section } : { reviewDate: true }),
        sections: SECTIONS.filter(
          (section) =>
            JSON.stringify(before?.sections[section.key] ?? []) !==
            JSON.stringify(after.sections[section.key]),
        ).map((section) => section.key),
        reviewTask,
      });
      return { kind: 'saved', versionNumber };
    });
  }
}
