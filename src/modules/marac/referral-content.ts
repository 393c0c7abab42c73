import { z } from 'zod';
import type { PdfBlock, PdfDocumentSpec } from '../../platform/pdf/pdf.ts';
import { MARAC_CRITERIA } from './criteria.ts';

/**
 * What a MARAC referral says: taken from the case when the referral is made (the answers and the client's own
 * words, the risk summary, household and children, the person responsible, recent incidents, the criteria),
 * plus the little the caseworker adds. Sealed whole under the case key; the referral document is made from it.
 */

const criterionResult = z.object({
  criterion: z.enum(MARAC_CRITERIA),
  label: z.string(),
  met: z.boolean(),
  why: z.string(),
});

const answerShape = z.object({
  number: z.number().int(),
  section: z.string(),
  question: z.string(),
  answer: z.string(),
  words: z.string().nullable(),
});

const assessmentShape = z.object({
  title: z.string(),
  completedOn: z.string(),
  completedBy: z.string(),
  score: z.number().int(),
  scoredQuestions: z.number().int(),
  level: z.string(),
  judgement: z.object({ level: z.string(), reason: z.string() }).nullable(),
  answers: z.array(answerShape),
});

export const CONSENT_LABELS = {
  consents: 'The client consents to the referral',
  proceeds_without_consent: 'The client does not consent; the referral goes ahead because of the risk',
  not_yet_asked: 'The client has not yet been asked',
} as const;

export const referralContentShape = z.object({
  documentId: z.string(),
  caseReference: z.string(),
  referralNumber: z.number().int(),
  /** When it was referred, as an ISO timestamp (the document's creation date) and in words. */
  referredAtIso: z.string(),
  referredAt: z.string(),
  referredBy: z.string(),
  area: z.string(),
  criteria: z.array(criterionResult),
  automatic: z.array(criterionResult),
  concern: z.string().nullable(),
  consent: z.object({
    position: z.enum(['consents', 'proceeds_without_consent', 'not_yet_asked']),
    reason: z.string().nullable(),
  }),
  otherInformation: z.string().nullable(),
  repeatOf: z.object({ referralNumber: z.number().int(), referredOn: z.string() }).nullable(),
  client: z.object({
    name: z.string(),
    age: z.string(),
    gender: z.string(),
    language: z.string(),
  }),
  household: z.array(
    z.object({
      name: z.string(),
      age: z.string(),
      livesWithClient: z.boolean(),
      notes: z.string().nullable(),
    }),
  ),
  perpetrators: z.array(
    z.object({
      name: z.string(),
      otherNames: z.string(),
      age: z.string(),
      relationship: z.string(),
      riskFactors: z.array(z.string()),
    }),
  ),
  assessments: z.array(assessmentShape),
  incidentsSince: z.string(),
  incidents: z.array(
    z.object({
      number: z.number().int(),
      when: z.string(),
      behaviours: z.string(),
      description: z.string(),
      reportedToPolice: z.boolean(),
    }),
  ),
});

export type ReferralContent = z.infer<typeof referralContentShape>;
export type AssessmentContent = z.infer<typeof assessmentShape>;

/** The parts of a referral's content the case supplies (the rest is the caseworker's and the record's). */
export type CaseContent = Pick<
  ReferralContent,
  'caseReference' | 'client' | 'household' | 'perpetrators' | 'assessments' | 'incidentsSince' | 'incidents'
>;

/** The referral document's id: the case reference and the referral's number on the case. */
export const documentIdOf = (caseReference: string, referralNumber: number) =>
  `MARAC-${caseReference}-${referralNumber}`;

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

/** The referral document: everything the referral says, laid out for the MARAC. */
export function referralDocument(content: ReferralContent): PdfDocumentSpec {
  const blocks: PdfBlock[] = [
    { kind: 'heading', level: 1, text: 'MARAC referral' },
    {
      kind: 'facts',
      rows: [
        ['Document', content.documentId],
        ['Case', content.caseReference],
        ['Referred on', content.referredAt],
        ['Referred by', content.referredBy],
        ['MARAC area', content.area],
        [
          'Repeat referral',
          content.repeatOf
            ? `Yes: within 12 months of referral ${content.repeatOf.referralNumber} on ${content.repeatOf.referredOn}`
            : 'No',
        ],
      ],
    },
    { kind: 'heading', level: 2, text: 'Why this case is referred' },
    ...content.criteria.map((item): PdfBlock => ({ kind: 'paragraph', text: `${item.label}: ${item.why}` })),
    { kind: 'heading', level: 3, text: 'All four criteria, as the case record shows them' },
    {
      kind: 'table',
      columns: [
        { header: 'Criterion', width: 0.25 },
        { header: 'Met', width: 0.1 },
        { header: 'Why', width: 0.65 },
      ],
      rows: content.automatic.map((item) => [item.label, yesNo(item.met), item.why]),
    },
    { kind: 'heading', level: 2, text: 'Consent' },
    { kind: 'paragraph', text: CONSENT_LABELS[content.consent.position] },
    ...(content.consent.reason
      ? [{ kind: 'paragraph', text: `Why: ${content.consent.reason}` } as const]
      : []),
    { kind: 'heading', level: 2, text: 'The client' },
    {
      kind: 'facts',
      rows: [
        ['Name', content.client.name],
        ['Age', content.client.age],
        ['Gender', content.client.gender],
        ['Language', content.client.language],
      ],
    },
    { kind: 'heading', level: 2, text: 'Household and children' },
    content.household.length
      ? {
          kind: 'table',
          columns: [
            { header: 'Name', width: 0.3 },
            { header: 'Age', width: 0.25 },
            { header: 'Lives with the client', width: 0.15 },
            { header: 'Notes', width: 0.3 },
          ],
          rows: content.household.map((person) => [
            person.name,
            person.age,
            yesNo(person.livesWithClient),
            person.notes ?? '',
          ]),
        }
      : { kind: 'paragraph', text: 'No children or other dependants are recorded.' },
    { kind: 'heading', level: 2, text: 'The person responsible' },
    ...(content.perpetrators.length
      ? content.perpetrators.map((person): PdfBlock => ({
          kind: 'facts',
          rows: [
            ['Name', person.name],
            ['Other names', person.otherNames || 'None recorded'],
            ['Age', person.age],
            ['Relationship to the client', person.relationship],
            ['Risk factors', person.riskFactors.join('; ') || 'None recorded'],
          ],
        }))
      : [{ kind: 'paragraph', text: 'No one is recorded as responsible on this case.' } as const]),
    { kind: 'heading', level: 2, text: 'Risk assessment' },
  ];
  if (!content.assessments.length)
    blocks.push({ kind: 'paragraph', text: 'No risk assessment has been completed on this case.' });
  for (const assessment of content.assessments) {
    blocks.push(
      { kind: 'heading', level: 3, text: `${assessment.title}, ${assessment.completedOn}` },
      {
        kind: 'facts',
        rows: [
          ['Completed by', assessment.completedBy],
          ['Score', `${assessment.score} of ${assessment.scoredQuestions} answers were yes`],
          ['Level', assessment.level],
          [
            'Professional judgement',
            assessment.judgement
              ? `Raised to ${assessment.judgement.level}: ${assessment.judgement.reason}`
              : 'None recorded',
          ],
        ],
      },
      {
        kind: 'table',
        columns: [
          { header: 'No.', width: 0.07 },
          { header: 'Question', width: 0.43 },
          { header: 'Answer', width: 0.12 },
          { header: 'In the client’s words', width: 0.38 },
        ],
        rows: assessment.answers.map((answer) => [
          String(answer.number),
          answer.question,
          answer.answer,
          answer.words ?? '',
        ]),
      },
    );
  }
  blocks.push(
    { kind: 'heading', level: 2, text: `Incidents since ${content.incidentsSince}` },
    content.incidents.length
      ? {
          kind: 'table',
          columns: [
            { header: 'Entry', width: 0.08 },
            { header: 'When', width: 0.2 },
            { header: 'What happened', width: 0.2 },
            { header: 'Description', width: 0.42 },
            { header: 'Reported to police', width: 0.1 },
          ],
          rows: content.incidents.map((incident) => [
            String(incident.number),
            incident.when,
            incident.behaviours,
            incident.description,
            yesNo(incident.reportedToPolice),
          ]),
        }
      : { kind: 'paragraph', text: 'No incidents are recorded in this period.' },
  );
  if (content.otherInformation)
    blocks.push(
      { kind: 'heading', level: 2, text: 'Other information' },
      { kind: 'paragraph', text: content.otherInformation },
    );
  blocks.push({
    kind: 'paragraph',
    emphasis: 'quiet',
    text: 'Taken from the case record when the referral was made. Sensitive: share only with the MARAC.',
  });
  return {
    documentId: content.documentId,
    title: 'MARAC referral',
    subject: `MARAC referral ${content.documentId}`,
    createdAt: new Date(content.referredAtIso),
    blocks,
  };
}
