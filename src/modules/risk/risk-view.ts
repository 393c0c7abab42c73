import { randomUUID } from 'node:crypto';
import type { RiskLevel } from '../../db/schema.ts';
import type { FormErrors } from '../../platform/http/forms.ts';
import { formatDate, formatDateTime } from '../../platform/http/views.ts';
import { paths } from '../../paths.ts';
import { formatIsoDate } from '../cases/case-view.ts';
import type { Assessment, CaseRisk, HistoryEntry } from './risk.service.ts';
import { wordsField } from './risk.schema.ts';
import { answerLabel, levelRank, type Answers } from './scoring.ts';
import { questionsOf, RISK_LEVEL_LABELS, RISK_LEVELS, type RiskTemplateDefinition } from './templates.ts';
import type { TemplateVersion } from './risk.repository.ts';

const LEVEL_TAG_CLASSES: Record<RiskLevel, string> = {
  standard: 'govuk-tag--blue',
  medium: 'govuk-tag--orange',
  high: 'govuk-tag--red',
};

export type LevelTag = { text: string; classes: string; level: RiskLevel };

/** A risk level as a GOV.UK tag: "High risk" in red, "Medium risk" in orange, "Standard risk" in blue. */
export function levelTag(level: RiskLevel): LevelTag {
  return {
    text: `${RISK_LEVEL_LABELS[level]} risk`,
    classes: `govuk-tag ${LEVEL_TAG_CLASSES[level]}`,
    level,
  };
}

/** How many questions a template scores, for "15 of 24". */
export function scoredCount(definition: RiskTemplateDefinition): number {
  return questionsOf(definition).filter((question) => question.scored).length;
}

/** "Risk checklist, version 2": what an assessment was made with. */
export function templateName(template: TemplateVersion): string {
  return `${template.title}, version ${template.versionNumber}`;
}

/** The case page's risk section and the top of the risk page. */
export function caseRiskView(risk: CaseRisk, caseId: string, canAssess: boolean) {
  const latestOf = (templateKey: string) =>
    risk.history.find((entry) => entry.template.templateKey === templateKey);
  return {
    href: paths.caseRisk(caseId),
    level: risk.level ? levelTag(risk.level) : null,
    assessedOn: risk.assessedAt ? formatDate(risk.assessedAt) : null,
    reviewDue: risk.reviewDueOn ? formatIsoDate(risk.reviewDueOn) : null,
    canAssess,
    latest: risk.templates
      .map((template) => ({ template, entry: latestOf(template.templateKey) }))
      .filter(({ entry }) => entry)
      .map(({ template, entry }) => ({
        title: template.title,
        completedOn: formatDate(entry!.completedAt),
        score: `${entry!.score} of ${scoredCount(entry!.template.definition)}`,
        level: levelTag(entry!.level),
        raised: entry!.judgement !== null,
        href: paths.riskAssessment(caseId, entry!.assessmentId),
      })),
    offers: risk.offers.map((offer) => ({
      templateKey: offer.templateKey,
      submissionId: randomUUID(),
      title:
        risk.templates.find((template) => template.templateKey === offer.templateKey)?.title ??
        offer.templateKey,
      because: offer.because,
    })),
    inProgress: risk.inProgress.map((assessment) => ({
      title: assessment.template.title,
      startedBy: assessment.startedByName,
      savedAt: formatDateTime(assessment.savedAt),
      progress: `${assessment.answered} of ${assessment.questions} questions answered`,
      href: paths.riskAssessment(caseId, assessment.assessmentId),
    })),
    templates: risk.templates.map((template) => ({
      templateKey: template.templateKey,
      /** One per start form, so a double click starts one assessment and each template its own. */
      submissionId: randomUUID(),
      title: template.title,
      summary: template.definition.summary,
      versionNumber: template.versionNumber,
      inProgress: risk.inProgress.some(
        (assessment) => assessment.template.templateKey === template.templateKey,
      ),
    })),
  };
}

/** Each completed assessment, newest first, with what changed since the one before with the same template. */
export function historyCards(history: HistoryEntry[], caseId: string) {
  return history.map((entry) => ({
    title: templateName(entry.template),
    completedAt: formatDateTime(entry.completedAt),
    completedBy: entry.completedByName,
    score: `${entry.score} of ${scoredCount(entry.template.definition)}`,
    computedLevel: levelTag(entry.computedLevel),
    level: levelTag(entry.level),
    judgement: entry.judgement,
    changes: entry.changes,
    href: paths.riskAssessment(caseId, entry.assessmentId),
  }));
}

type SectionValues = Record<string, unknown>;

/** One section's questions as the form shows them, with what was answered or typed. */
export function sectionQuestions(
  section: RiskTemplateDefinition['sections'][number],
  values: SectionValues,
  errors: FormErrors | null,
) {
  const value = (field: string) => (typeof values[field] === 'string' ? values[field] : '');
  return section.questions.map((question) => ({
    id: question.id,
    text: question.text,
    guidance: question.guidance ?? null,
    kind: question.kind,
    value: value(question.id),
    items: [
      { value: 'yes', text: 'Yes' },
      { value: 'no', text: 'No' },
      { value: 'not_known', text: 'Not known' },
    ].map((item) => ({ ...item, checked: value(question.id) === item.value })),
    wordsField: wordsField(question.id),
    words: value(wordsField(question.id)),
    error: errors?.fields[question.id] ?? null,
    wordsError: errors?.fields[wordsField(question.id)] ?? null,
  }));
}

/** What a section's form starts with: the answers saved so far. */
export function sectionValues(
  section: RiskTemplateDefinition['sections'][number],
  answers: Answers,
): SectionValues {
  const values: SectionValues = {};
  for (const question of section.questions) {
    const answer = answers[question.id];
    if (!answer) continue;
    values[question.id] = question.kind === 'text' ? (answer.text ?? '') : (answer.choice ?? '');
    if (answer.words) values[wordsField(question.id)] = answer.words;
  }
  return values;
}

/** Every answer, section by section, with a link to change it while the assessment is in progress. */
export function answerSections(assessment: Assessment, caseId: string) {
  const editable = assessment.status === 'in_progress';
  return assessment.template.definition.sections.map((section) => ({
    id: section.id,
    title: section.title,
    rows: section.questions.map((question) => {
      const answer = assessment.answers[question.id];
      return {
        questionId: question.id,
        question: question.text,
        answer: answerLabel(answer),
        unanswered: question.kind === 'yes_no_not_known' && !answer?.choice,
        words: answer?.words ?? null,
        changeHref: editable
          ? `${paths.riskSection(caseId, assessment.assessmentId, section.id)}#${question.id}`
          : null,
      };
    }),
  }));
}

/** The judgement choices: keep the computed level, or raise it to each level above (never lower). */
export function judgementItems(computed: RiskLevel, selected: unknown) {
  const raises = RISK_LEVELS.filter((level) => levelRank(level) > levelRank(computed)).map((level) => ({
    value: level,
    text: `Raise the level to ${RISK_LEVEL_LABELS[level].toLowerCase()}`,
    checked: selected === level,
  }));
  return [
    {
      value: 'none',
      text: `No, keep the level from the score (${RISK_LEVEL_LABELS[computed].toLowerCase()})`,
      checked: selected === 'none',
    },
    ...raises,
  ];
}

/** Where an assessment in progress picks up: its first section with a question unanswered, or the check page. */
export function resumeHref(assessment: Assessment, caseId: string): string {
  const section = assessment.template.definition.sections.find((candidate) =>
    candidate.questions.some((question) =>
      question.kind === 'text' ? !assessment.answers[question.id] : !assessment.answers[question.id]?.choice,
    ),
  );
  return section
    ? paths.riskSection(caseId, assessment.assessmentId, section.id)
    : paths.riskCheck(caseId, assessment.assessmentId);
}
