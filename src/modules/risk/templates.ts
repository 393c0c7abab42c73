import { z } from 'zod';
import type { RiskLevel, RiskTemplatePurpose } from '../../db/schema.ts';

/**
 * A risk questionnaire is data: sections of questions in Vigil's own words, each with guidance, how it is
 * answered and whether a "yes" counts towards the score, and the score at which the level becomes medium or
 * high. A version never changes once written; an assessment names the version it was made with.
 */

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const slug = z.string().regex(SLUG, 'Use lower-case letters, digits and single hyphens').max(60);
const text = (max: number) => z.string().trim().min(1).max(max);

export const ANSWER_KINDS = ['yes_no_not_known', 'text'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

export const questionSchema = z.object({
  id: slug,
  text: text(500),
  guidance: text(2000).optional(),
  kind: z.enum(ANSWER_KINDS),
  /** Whether a "yes" adds one to the score (only yes/no/not known questions can count). */
  scored: z.boolean(),
  /** A template to offer when this question is answered "yes" (the stalking question offers the screening). */
  offers: slug.optional(),
});

export const sectionSchema = z.object({
  id: slug,
  title: text(120),
  guidance: text(2000).optional(),
  questions: z.array(questionSchema).min(1).max(60),
});

export const definitionSchema = z
  .object({
    title: text(200),
    summary: text(2000),
    purpose: z.enum(['risk_checklist', 'stalking_screening', 'other']),
    sections: z.array(sectionSchema).min(1).max(20),
    /** The score ("yes" answers to scored questions) from which the level is medium, and high. */
    thresholds: z.object({ medium: z.number().int().min(1), high: z.number().int().min(1) }),
  })
  .superRefine((definition, context) => {
    const questions = definition.sections.flatMap((section) => section.questions);
    const ids = new Set<string>();
    for (const question of questions) {
      if (ids.has(question.id))
        context.addIssue({ code: 'custom', message: `Question id "${question.id}" is used twice` });
      ids.add(question.id);
      if (question.scored && question.kind !== 'yes_no_not_known')
        context.addIssue({
          code: 'custom',
          message: `Question "${question.id}" is scored but is not yes or no`,
        });
      if (question.offers && question.kind !== 'yes_no_not_known')
        context.addIssue({
          code: 'custom',
          message: `Question "${question.id}" offers a template but is not yes or no`,
        });
    }
    const sectionIds = new Set(definition.sections.map((section) => section.id));
    if (sectionIds.size !== definition.sections.length)
      context.addIssue({ code: 'custom', message: 'Two sections have the same id' });
    const scored = questions.filter((question) => question.scored).length;
    const { medium, high } = definition.thresholds;
    if (!(medium < high))
      context.addIssue({
        code: 'custom',
        message: 'The medium threshold must be lower than the high threshold',
      });
    if (high > scored)
      context.addIssue({
        code: 'custom',
        message: `The high threshold (${high}) is more than the number of scored questions (${scored})`,
      });
  });

export type RiskTemplateDefinition = z.infer<typeof definitionSchema>;
export type RiskQuestion = z.infer<typeof questionSchema>;

export type ShippedTemplate = {
  /** Fixed for ever: the same id in every organisation and every installation. */
  templateVersionId: string;
  templateKey: string;
  purpose: RiskTemplatePurpose;
  definition: RiskTemplateDefinition;
};

export const RISK_LEVELS: readonly RiskLevel[] = ['standard', 'medium', 'high'];

export const RISK_LEVEL_LABELS: Record<RiskLevel, string> = {
  standard: 'Standard',
  medium: 'Medium',
  high: 'High',
};

const yesNo = (id: string, questionText: string, guidance?: string, offers?: string): RiskQuestion => ({
  id,
  text: questionText,
  ...(guidance ? { guidance } : {}),
  kind: 'yes_no_not_known',
  scored: true,
  ...(offers ? { offers } : {}),
});

/** The 24-question domestic abuse, stalking and harassment risk checklist; 14 or more "yes" is high risk. */
const RISK_CHECKLIST_V1: RiskTemplateDefinition = {
  title: 'Domestic abuse, stalking and harassment risk checklist',
  summary:
    'Twenty-four questions asked of the client about what is happening now, the person responsible and their ' +
    'history. Fourteen or more answers of "yes" is visible high risk and meets the criterion for a MARAC ' +
    'referral. Record "not known" rather than guess. Your professional judgement can raise the level.',
  purpose: 'risk_checklist',
  thresholds: { medium: 10, high: 14 },
  sections: [
    {
      id: 'now',
      title: 'What is happening now',
      guidance:
        'Ask in a private place where the client cannot be overheard. Explain why you are asking and that they ' +
        'can stop at any time. Use their own words where you can.',
      questions: [
        yesNo(
          'injury',
          'Has what happened most recently left the client injured?',
          'Record injuries, however minor.',
        ),
        yesNo(
          'frightened',
          'Is the client very frightened?',
          'Ask what they are afraid of and write it in their words.',
        ),
        yesNo(
          'fear-of-harm',
          'Is the client afraid of being hurt or of violence, to themselves or someone else?',
          'This includes fear for children, family, friends or pets.',
        ),
        yesNo(
          'isolated',
          'Does the client feel cut off from family or friends?',
          'For example, the person responsible stops them seeing people, or they have withdrawn out of fear.',
        ),
        yesNo(
          'low-mood',
          'Is the client feeling depressed, or having thoughts of suicide or self-harm?',
          'If they are at risk now, follow your safeguarding procedure before going on.',
        ),
      ],
    },
    {
      id: 'relationship',
      title: 'The relationship, children and pressures',
      questions: [
        yesNo(
          'separation',
          'Has the client separated, or tried to separate, from the person responsible in the last year?',
          'Separation is a time of raised risk.',
        ),
        yesNo('child-contact', 'Is there disagreement about contact with children?'),
        yesNo(
          'stalking',
          'Does the person responsible keep calling, messaging, following, watching or otherwise stalking or ' +
            'harassing the client?',
          'A "yes" here means the stalking screening questions should be asked as well.',
          'stalking-screening',
        ),
        yesNo('pregnancy', 'Is the client pregnant, or have they had a baby in the last 18 months?'),
        yesNo('money', 'Are there money worries, or is the person responsible controlling money?'),
      ],
    },
    {
      id: 'behaviour',
      title: 'The behaviour of the person responsible',
      questions: [
        yesNo('more-often', 'Is the abuse happening more often than before?'),
        yesNo('getting-worse', 'Is the abuse getting worse?'),
        yesNo(
          'controlling',
          'Does the person responsible try to control what the client does, or are they extremely jealous?',
        ),
        yesNo('weapons', 'Has the person responsible ever used a weapon or an object to hurt the client?'),
        yesNo(
          'threat-to-kill',
          'Has the person responsible threatened to kill the client or someone else, and did the client believe them?',
        ),
        yesNo(
          'strangulation',
          'Has the person responsible ever strangled, choked, smothered or tried to drown the client?',
          'Non-fatal strangulation is a strong predictor of homicide, even when it left no mark.',
        ),
        yesNo(
          'sexual-abuse',
          'Does the person responsible do or say sexual things that hurt the client, or make them feel degraded?',
        ),
        yesNo(
          'others-feared',
          'Is there anyone else who has threatened the client, or whom the client is afraid of?',
        ),
      ],
    },
    {
      id: 'history',
      title: 'What is known about the person responsible',
      guidance:
        'Answer from what the client tells you and what you know from other agencies; say "not known" otherwise.',
      questions: [
        yesNo('hurt-others', 'Has the person responsible hurt anyone else, as far as the client knows?'),
        yesNo('animals', 'Has the person responsible ever hurt or mistreated an animal or a pet?'),
        yesNo(
          'substances-mental-health',
          'In the last year, has the person responsible had problems with drugs, alcohol or their mental health?',
        ),
        yesNo('suicide-threats', 'Has the person responsible ever threatened or attempted suicide?'),
        yesNo(
          'broken-orders',
          'Has the person responsible ever broken bail conditions, an injunction, a court order or an agreement ' +
            'about contact?',
        ),
        yesNo(
          'criminal-history',
          'Has the person responsible been in trouble with the police, or do they have a criminal record?',
        ),
      ],
    },
  ],
};

/** The 11 stalking screening questions, asked when the checklist's stalking question is "yes". */
const STALKING_SCREENING_V1: RiskTemplateDefinition = {
  title: 'Stalking screening',
  summary:
    "Eleven questions about the stalking itself, asked when the risk checklist's stalking question is answered " +
    '"yes" and in every stalking case. Several "yes" answers point to a raised risk of harm; use them with ' +
    'the checklist and your professional judgement.',
  purpose: 'stalking_screening',
  thresholds: { medium: 3, high: 6 },
  sections: [
    {
      id: 'client',
      title: 'The client and what has happened',
      questions: [
        yesNo('very-frightened', 'Is the client very frightened of the person stalking them?'),
        yesNo(
          'previous-stalking',
          'Has the person stalked or harassed the client, or anyone else, before?',
          'Include earlier relationships and earlier periods of stalking that stopped and started again.',
        ),
        yesNo('property-damage', "Has the person damaged or interfered with the client's property?"),
        yesNo(
          'frequent-visits',
          "Does the person turn up at the client's home, work or school more than three times a week?",
        ),
        yesNo(
          'loitering',
          "Does the person hang around near the client's home, work, school or usual places?",
        ),
      ],
    },
    {
      id: 'person',
      title: 'The person stalking',
      questions: [
        yesNo('threats', 'Has the person threatened physical or sexual violence?'),
        yesNo(
          'harassing-others',
          "Has the person harassed or contacted the client's family, friends, colleagues or others close to them?",
        ),
        yesNo('violent-to-others', 'Has the person been violent towards anyone else?'),
        yesNo(
          'recruiting-others',
          'Has the person got other people to help them, knowingly or not, for example to pass on messages or ' +
            'find out where the client is?',
        ),
        yesNo('substance-misuse', 'Does the person misuse drugs or alcohol?'),
        yesNo('history-of-violence', 'Is the person known to have a history of violence?'),
      ],
    },
  ],
};

export const SHIPPED_TEMPLATES: readonly ShippedTemplate[] = [
  {
    templateVersionId: '5f0b8a56-3d4c-4b7e-9a51-6c2e0f1d7a01',
    templateKey: 'risk-checklist',
    purpose: 'risk_checklist',
    definition: definitionSchema.parse(RISK_CHECKLIST_V1),
  },
  {
    templateVersionId: '5f0b8a56-3d4c-4b7e-9a51-6c2e0f1d7a02',
    templateKey: 'stalking-screening',
    purpose: 'stalking_screening',
    definition: definitionSchema.parse(STALKING_SCREENING_V1),
  },
];

/** Every question of a template, in order, with the section it sits in. */
export function questionsOf(definition: RiskTemplateDefinition) {
  return definition.sections.flatMap((section) =>
    section.questions.map((question) => ({
      ...question,
      sectionId: section.id,
      sectionTitle: section.title,
    })),
  );
}
