import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { RiskLevel, RiskTemplatePurpose } from '../../db/schema.ts';
import { openText } from '../../platform/crypto/envelope.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import { answersSchema, type Answers } from './scoring.ts';
import { definitionSchema, SHIPPED_TEMPLATES, type RiskTemplateDefinition } from './templates.ts';

export type TemplateVersion = {
  templateVersionId: string;
  templateKey: string;
  versionNumber: number;
  purpose: RiskTemplatePurpose;
  title: string;
  origin: 'shipped' | 'local';
  createdAt: Date;
  definition: RiskTemplateDefinition;
};

/** What binds sealed answers and a judgement's reason to their assessment. */
export const answersAad = (assessmentId: string) => `risk-assessment:${assessmentId}:answers`;
export const judgementAad = (assessmentId: string) => `risk-assessment:${assessmentId}:judgement`;

export function sealAnswers(key: Buffer, assessmentId: string, answers: Answers): Buffer {
  return sealDocument(key, answers, answersAad(assessmentId), 1024);
}

export function openAnswers(key: Buffer, assessmentId: string, sealed: Buffer): Answers {
  return openDocument(key, sealed, answersAad(assessmentId), answersSchema);
}

export function openJudgementReason(key: Buffer, assessmentId: string, sealed: Buffer | null): string | null {
  return sealed ? openText(key, sealed, judgementAad(assessmentId)) : null;
}

/**
 * Copies into the organisation any template version Vigil ships that it does not hold yet, numbered after the
 * versions it has of that template. Cheap when there is nothing to copy; safe when two requests do it at once.
 */
export async function ensureShippedTemplates(trx: Trx, organisationId: string, now: Date): Promise<void> {
  const held = await trx
    .selectFrom('risk_templates')
    .select('template_version_id')
    .where('organisation_id', '=', organisationId)
    .where('origin', '=', 'shipped')
    .execute();
  const have = new Set(held.map((row) => row.template_version_id));
  const missing = SHIPPED_TEMPLATES.filter((template) => !have.has(template.templateVersionId));
  if (missing.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`risk-templates:${organisationId}`}, 17))`.execute(
    trx,
  );
  for (const template of missing) {
    await sql`
      INSERT INTO risk_templates (organisation_id, template_version_id, template_key, version_number, purpose, title,
        definition, origin, created_by, created_at)
      SELECT ${organisationId}, ${template.templateVersionId}, ${template.templateKey},
        coalesce(max(version_number), 0) + 1, ${template.purpose}, ${template.definition.title},
        ${JSON.stringify(template.definition)}::jsonb, 'shipped', NULL, ${now}
      FROM risk_templates WHERE organisation_id = ${organisationId} AND template_key = ${template.templateKey}
      ON CONFLICT (organisation_id, template_version_id) DO NOTHING
    `.execute(trx);
  }
}

function toTemplateVersion(row: {
  template_version_id: string;
  template_key: string;
  version_number: number;
  purpose: RiskTemplatePurpose;
  title: string;
  origin: 'shipped' | 'local';
  created_at: Date;
  definition: unknown;
}): TemplateVersion {
  return {
    templateVersionId: row.template_version_id,
    templateKey: row.template_key,
    versionNumber: row.version_number,
    purpose: row.purpose,
    title: row.title,
    origin: row.origin,
    createdAt: row.created_at,
    definition: definitionSchema.parse(row.definition),
  };
}

const TEMPLATE_COLUMNS = [
  'template_version_id',
  'template_key',
  'version_number',
  'purpose',
  'title',
  'origin',
  'created_at',
  'definition',
] as const;

/** Every version of every template the organisation holds, by template then newest version first. */
export async function templateVersions(trx: Trx, organisationId: string): Promise<TemplateVersion[]> {
  const rows = await trx
    .selectFrom('risk_templates')
    .select(TEMPLATE_COLUMNS)
    .where('organisation_id', '=', organisationId)
    .orderBy('template_key')
    .orderBy('version_number', 'desc')
    .execute();
  return rows.map(toTemplateVersion);
}

/** The newest version of each template: what a new assessment uses. */
export async function currentTemplateVersions(trx: Trx, organisationId: string): Promise<TemplateVersion[]> {
  const all = await templateVersions(trx, organisationId);
  const seen = new Set<string>();
  return all.filter((version) => {
    if (seen.has(version.templateKey)) return false;
    seen.add(version.templateKey);
    return true;
  });
}

export async function templateVersion(
  trx: Trx,
  organisationId: string,
  templateVersionId: string,
): Promise<TemplateVersion | undefined> {
  const row = await trx
    .selectFrom('risk_templates')
    .select(TEMPLATE_COLUMNS)
    .where('organisation_id', '=', organisationId)
    .where('template_version_id', '=', templateVersionId)
    .executeTakeFirst();
  return row ? toTemplateVersion(row) : undefined;
}

export type CompletedAssessment = {
  assessmentId: string;
  template: TemplateVersion;
  completedAt: Date;
  completedBy: string;
  completedByName: string;
  score: number;
  computedLevel: RiskLevel;
  judgementLevel: RiskLevel | null;
  level: RiskLevel;
  answersSealed: Buffer;
  judgementReasonSealed: Buffer | null;
};

/** A case's completed assessments, oldest first (answers still sealed: open them with the case key). */
export async function completedAssessments(
  trx: Trx,
  organisationId: string,
  caseId: string,
): Promise<CompletedAssessment[]> {
  const rows = await trx
    .selectFrom('risk_assessments as a')
    .innerJoin('risk_templates as t', (join) =>
      join
        .onRef('t.organisation_id', '=', 'a.organisation_id')
        .onRef('t.template_version_id', '=', 'a.template_version_id'),
    )
    .innerJoin('users as u', (join) =>
      join.onRef('u.organisation_id', '=', 'a.organisation_id').onRef('u.user_id', '=', 'a.completed_by'),
    )
    .select([
      'a.assessment_id',
      'a.completed_at',
      'a.completed_by',
      'u.display_name',
      'a.score',
      'a.computed_level',
      'a.judgement_level',
      'a.level',
      'a.answers_sealed',
      'a.judgement_reason_sealed',
      't.template_version_id',
      't.template_key',
      't.version_number',
      't.purpose',
      't.title',
      't.origin',
      't.created_at',
      't.definition',
    ])
    .where('a.organisation_id', '=', organisationId)
    .where('a.case_id', '=', caseId)
    .where('a.status', '=', 'completed')
    .orderBy('a.completed_at')
    .orderBy('a.assessment_id')
    .execute();
  return rows.map((row) => ({
    assessmentId: row.assessment_id,
    template: toTemplateVersion(row),
    completedAt: row.completed_at!,
    completedBy: row.completed_by!,
    completedByName: row.display_name,
    score: row.score!,
    computedLevel: row.computed_level!,
    judgementLevel: row.judgement_level,
    level: row.level!,
    answersSealed: row.answers_sealed,
    judgementReasonSealed: row.judgement_reason_sealed,
  }));
}
