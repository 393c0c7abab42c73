import { z } from 'zod';
import type { PdfBlock, PdfDocumentSpec } from '../../platform/pdf/pdf.ts';

/**
 * What a request to police for a Stalking Protection Order says: taken from the case when it is made (the
 * person to be protected, the respondent, the behaviours and how often, every incident in order, the risk, the
 * crime references and the exhibits), plus the prohibitions, requirements and places the caseworker proposes.
 * Sealed whole under the case key; the document is made from it, the same every time.
 */
export const spoRequestContentShape = z.object({
  documentId: z.string(),
  caseReference: z.string(),
  requestNumber: z.number().int(),
  requestedAtIso: z.string(),
  requestedAt: z.string(),
  requestedBy: z.string(),
  serviceName: z.string(),
  officer: z
    .object({ name: z.string(), collarNumber: z.string().nullable(), force: z.string(), role: z.string() })
    .nullable(),
  client: z.object({ name: z.string() }),
  consent: z.object({ position: z.enum(['consents', 'without_consent']), reason: z.string().nullable() }),
  respondents: z.array(
    z.object({ name: z.string(), otherNames: z.string(), age: z.string(), relationship: z.string() }),
  ),
  risk: z.object({
    level: z.string(),
    assessment: z
      .object({
        title: z.string(),
        completedOn: z.string(),
        score: z.number().int(),
        scoredQuestions: z.number().int(),
        level: z.string(),
        raisedOnJudgement: z.boolean(),
      })
      .nullable(),
  }),
  frequency: z.object({
    incidents: z.number().int(),
    first: z.string().nullable(),
    last: z.string().nullable(),
    summary: z.string(),
    lastFourWeeks: z.number().int(),
  }),
  behaviours: z.array(
    z.object({ behaviour: z.string(), incidents: z.number().int(), first: z.string(), last: z.string() }),
  ),
  incidents: z.array(
    z.object({
      number: z.number().int(),
      when: z.string(),
      behaviours: z.string(),
      description: z.string(),
      reportedToPolice: z.boolean(),
    }),
  ),
  crimeReferences: z.array(
    z.object({ reference: z.string(), force: z.string(), offence: z.string(), status: z.string() }),
  ),
  prohibitions: z.array(z.string()),
  requirements: z.array(z.string()),
  places: z.array(z.string()),
  otherInformation: z.string().nullable(),
  exhibits: z.array(
    z.object({
      number: z.number().int(),
      entry: z.number().int(),
      fileName: z.string(),
      type: z.string(),
      size: z.string(),
      sha256: z.string(),
    }),
  ),
});

export type SpoRequestContent = z.infer<typeof spoRequestContentShape>;

/** The document's id: the case reference and the request's number on the case. Never a name. */
export const spoDocumentIdOf = (caseReference: string, requestNumber: number) =>
  `SPO-REQUEST-${caseReference}-${requestNumber}`;

export const SPO_REQUEST_TITLE = 'Request for a Stalking Protection Order';

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

export const CONSENT_WORDS = {
  consents: 'The person to be protected agrees to this request going to the police.',
  without_consent:
    'The person to be protected has not agreed to this request going to the police. It is sent because:',
} as const;

const list = (items: readonly string[], none: string): PdfBlock[] =>
  items.length
    ? items.map((item, index): PdfBlock => ({ kind: 'paragraph', text: `${index + 1}. ${item}` }))
    : [{ kind: 'paragraph', text: none }];

/** The request document: laid out for the officer preparing the application to the magistrates' court. */
export function spoRequestDocument(content: SpoRequestContent): PdfDocumentSpec {
  const blocks: PdfBlock[] = [
    { kind: 'heading', level: 1, text: SPO_REQUEST_TITLE },
    {
      kind: 'paragraph',
      text:
        'The Stalking Protection Act 2019 lets a chief officer of police apply to a magistrates’ court for an ' +
        'order. This request sets out what the stalking advocacy service supporting the person to be protected ' +
        'holds, for the officer considering that application.',
    },
    {
      kind: 'facts',
      rows: [
        ['Document', content.documentId],
        ['Case', content.caseReference],
        ['From', `${content.requestedBy}, ${content.serviceName}`],
        ['Made on', content.requestedAt],
        [
          'For',
          content.officer
            ? `${content.officer.name}${content.officer.collarNumber ? ` (${content.officer.collarNumber})` : ''}, ${content.officer.force}, ${content.officer.role}`
            : 'The officer in the case',
        ],
      ],
    },
    { kind: 'heading', level: 2, text: 'Who the order would protect, and from whom' },
    { kind: 'facts', rows: [['Person to be protected', content.client.name]] },
    {
      kind: 'paragraph',
      text: content.consent.reason
        ? `${CONSENT_WORDS[content.consent.position]} ${content.consent.reason}`
        : CONSENT_WORDS[content.consent.position],
    },
    ...(content.respondents.length
      ? content.respondents.map((person): PdfBlock => ({
          kind: 'facts',
          rows: [
            ['Respondent', person.name],
            ['Other names', person.otherNames || 'None recorded'],
            ['Age', person.age],
            ['Relationship to the person to be protected', person.relationship],
          ],
        }))
      : [{ kind: 'paragraph', text: 'No one is recorded as responsible on this case.' } as const]),
    { kind: 'heading', level: 2, text: 'Risk' },
    {
      kind: 'facts',
      rows: [
        ['Current risk level', content.risk.level],
        [
          'Latest risk assessment',
          content.risk.assessment
            ? `${content.risk.assessment.title}, ${content.risk.assessment.completedOn}: ${content.risk.assessment.score} of ${content.risk.assessment.scoredQuestions} answers were yes; ${content.risk.assessment.level} risk${content.risk.assessment.raisedOnJudgement ? ', raised on professional judgement' : ''}`
            : 'None completed',
        ],
      ],
    },
    { kind: 'heading', level: 2, text: 'Behaviours and how often' },
    { kind: 'paragraph', text: content.frequency.summary },
    content.behaviours.length
      ? {
          kind: 'table',
          columns: [
            { header: 'Behaviour', width: 0.4 },
            { header: 'Incidents', width: 0.14 },
            { header: 'First', width: 0.23 },
            { header: 'Most recent', width: 0.23 },
          ],
          rows: content.behaviours.map((row) => [row.behaviour, String(row.incidents), row.first, row.last]),
        }
      : { kind: 'paragraph', text: 'No behaviours are recorded in the diary.' },
    { kind: 'heading', level: 2, text: 'What has happened, in order' },
    content.incidents.length
      ? {
          kind: 'table',
          columns: [
            { header: 'Entry', width: 0.09 },
            { header: 'When', width: 0.19 },
            { header: 'What happened', width: 0.2 },
            { header: 'Description', width: 0.4 },
            { header: 'Reported', width: 0.12 },
          ],
          rows: content.incidents.map((incident) => [
            String(incident.number),
            incident.when,
            incident.behaviours,
            incident.description,
            yesNo(incident.reportedToPolice),
          ]),
        }
      : { kind: 'paragraph', text: 'No incidents are recorded in the diary.' },
    { kind: 'heading', level: 2, text: 'Crimes reported' },
    content.crimeReferences.length
      ? {
          kind: 'table',
          columns: [
            { header: 'Crime reference', width: 0.22 },
            { header: 'Force', width: 0.22 },
            { header: 'Offence', width: 0.36 },
            { header: 'Status', width: 0.2 },
          ],
          rows: content.crimeReferences.map((row) => [row.reference, row.force, row.offence, row.status]),
        }
      : { kind: 'paragraph', text: 'No crime references are recorded on this case.' },
    { kind: 'heading', level: 2, text: 'Proposed prohibitions' },
    ...list(content.prohibitions, 'None proposed.'),
    { kind: 'heading', level: 2, text: 'Proposed requirements' },
    ...list(content.requirements, 'None proposed.'),
    { kind: 'heading', level: 2, text: 'Places to exclude' },
    ...list(content.places, 'None named.'),
  ];
  if (content.otherInformation)
    blocks.push(
      { kind: 'heading', level: 2, text: 'Other information' },
      { kind: 'paragraph', text: content.otherInformation },
    );
  blocks.push(
    { kind: 'heading', level: 2, text: 'Exhibits' },
    content.exhibits.length
      ? {
          kind: 'table',
          columns: [
            { header: 'No.', width: 0.07 },
            { header: 'Entry', width: 0.09 },
            { header: 'File name', width: 0.24 },
            { header: 'Type', width: 0.14 },
            { header: 'Size', width: 0.11 },
            { header: 'SHA-256', width: 0.35 },
          ],
          rows: content.exhibits.map((exhibit) => [
            String(exhibit.number),
            String(exhibit.entry),
            exhibit.fileName,
            exhibit.type,
            exhibit.size,
            exhibit.sha256,
          ]),
        }
      : { kind: 'paragraph', text: 'No evidence files are held on this case.' },
    {
      kind: 'paragraph',
      emphasis: 'quiet',
      text:
        'Taken from the case record when the request was made. “Reported” says whether the incident was ' +
        'reported to police. Each exhibit’s SHA-256 identifies its original file exactly. Sensitive: for the ' +
        'police’s application only.',
    },
  );
  return {
    documentId: content.documentId,
    title: SPO_REQUEST_TITLE,
    subject: `${SPO_REQUEST_TITLE} ${content.documentId}`,
    createdAt: new Date(content.requestedAtIso),
    blocks,
  };
}
