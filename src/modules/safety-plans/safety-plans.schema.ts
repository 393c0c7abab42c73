import { z } from 'zod';
import { isUuid } from '../../platform/auth/tokens.ts';
import { BadRequestError } from '../../platform/http/forms.ts';
import { isoDateFrom } from '../cases/case-view.ts';
import type { EmergencyContact, PlanAction } from './plan.ts';
import { STATUSES, WHO, type SectionKey } from './sections.ts';

/** Most actions one section holds, and most emergency contacts. */
export const MAX_ROWS = 40;

const ACTION_KEY =
  /^action-(\d{1,2})-(id|what|who|whoName|status|reviewOn-day|reviewOn-month|reviewOn-year|shared|remove)$/;
const CONTACT_KEY = /^contact-(\d{1,2})-(id|name|relationship|phone|notes|remove)$/;
const PHONE = /^\+?[0-9()\s-]{6,24}$/;

export const INTENTS = ['save', 'add-action', 'add-contact'] as const;
export type Intent = (typeof INTENTS)[number];

/** The rows a section form holds, by their position on the page: actions, and contacts on their section. */
export type RowIndexes = { actions: number[]; contacts: number[] };

/**
 * Checks a section form carries only the fields it can (anything else means it was altered) and says which rows
 * it has. Every row carries its id, so rows are found by their id fields.
 */
export function sectionFormShape(
  body: Record<string, unknown>,
  section: SectionKey,
): { intent: Intent; basedOn: number; rows: RowIndexes } {
  const withContacts = section === 'emergency-contacts';
  const actions = new Set<number>();
  const contacts = new Set<number>();
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw new BadRequestError('Altered form');
    if (key === 'basedOn' || key === 'intent' || (withContacts && key === 'codeWord')) continue;
    const action = ACTION_KEY.exec(key);
    const contact = withContacts ? CONTACT_KEY.exec(key) : null;
    if (action?.[2] === 'id') actions.add(Number(action[1]));
    else if (contact?.[2] === 'id') contacts.add(Number(contact[1]));
    else if (!action && !contact) throw new BadRequestError('Unexpected form fields');
  }
  const ids = [
    ...[...actions].map((index) => body[`action-${index}-id`]),
    ...[...contacts].map((index) => body[`contact-${index}-id`]),
  ];
  if (ids.some((id) => typeof id !== 'string' || !isUuid(id)) || new Set(ids).size !== ids.length)
    throw new BadRequestError('Altered form');
  if (actions.size > MAX_ROWS + 1 || contacts.size > MAX_ROWS + 1) throw new BadRequestError('Too many rows');
  const intent = INTENTS.find((value) => value === (body.intent ?? 'save'));
  const basedOn = typeof body.basedOn === 'string' ? body.basedOn : '';
  if (!intent || !/^\d{1,6}$/.test(basedOn)) throw new BadRequestError('Altered form');
  return {
    intent,
    basedOn: Number(basedOn),
    rows: {
      actions: [...actions].sort((a, b) => a - b),
      contacts: [...contacts].sort((a, b) => a - b),
    },
  };
}

export type SectionForm = {
  actions: PlanAction[];
  /** Where each kept action is on the page, by its id: to put a message from the service on its field. */
  rowOf: Record<string, number>;
  contacts?: EmergencyContact[];
  codeWord?: string | null;
};

const text = (form: Record<string, unknown>, key: string) => {
  const value = form[key];
  return typeof value === 'string' ? value.trim() : '';
};

function problem(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

/** A date from day, month and year boxes: null when all are empty, undefined when it is not a real date. */
function dateFrom(form: Record<string, unknown>, prefix: string): string | null | undefined {
  const parts = ['day', 'month', 'year'].map((part) => text(form, `${prefix}-${part}`)) as [
    string,
    string,
    string,
  ];
  if (parts.every((part) => part === '')) return null;
  return isoDateFrom(...parts) ?? undefined;
}

/** A section's actions (and on the contacts section its contacts and code word), checked and in order. */
export function sectionSchema(section: SectionKey, rows: RowIndexes) {
  return z.record(z.string(), z.unknown()).transform((form, ctx): SectionForm => {
    const actions: PlanAction[] = [];
    const rowOf: Record<string, number> = {};
    rows.actions.forEach((index, position) => {
      const prefix = `action-${index}`;
      const number = position + 1;
      if (text(form, `${prefix}-remove`) === 'yes') return;
      const what = text(form, `${prefix}-what`);
      const whoValue = text(form, `${prefix}-who`);
      const whoName = text(form, `${prefix}-whoName`);
      const shared = text(form, `${prefix}-shared`) === 'yes';
      const reviewOn = dateFrom(form, `${prefix}-reviewOn`);
      const blank = !what && !whoValue && !whoName && reviewOn === null && !shared;
      if (blank) return;
      if (!what) problem(ctx, `${prefix}-what`, `Enter what will be done for action ${number}`);
      else if (what.length > 1_000)
        problem(ctx, `${prefix}-what`, `Action ${number} must be 1,000 characters or fewer`);
      const who = WHO.find((value) => value === whoValue);
      if (!who) problem(ctx, `${prefix}-who`, `Select who does action ${number}`);
      if (who === 'other' && !whoName) problem(ctx, `${prefix}-whoName`, `Enter who does action ${number}`);
      else if (whoName.length > 200)
        problem(ctx, `${prefix}-whoName`, `Who does action ${number} must be 200 characters or fewer`);
      const status = STATUSES.find((value) => value === text(form, `${prefix}-status`));
      if (!status) problem(ctx, `${prefix}-status`, `Select how far action ${number} has got`);
      if (reviewOn === undefined)
        problem(ctx, `${prefix}-reviewOn-day`, `Review date for action ${number} must be a real date`);
      const actionId = text(form, `${prefix}-id`).toLowerCase();
      rowOf[actionId] = index;
      actions.push({
        actionId,
        what,
        who: who ?? 'client',
        whoName: who === 'other' ? whoName : null,
        status: status ?? 'to_do',
        reviewOn: reviewOn ?? null,
        shared,
      });
    });
    if (actions.length > MAX_ROWS) problem(ctx, 'actions', `A section can hold up to ${MAX_ROWS} actions`);
    if (section !== 'emergency-contacts') return { actions, rowOf };

    const contacts: EmergencyContact[] = [];
    rows.contacts.forEach((index, position) => {
      const prefix = `contact-${index}`;
      const number = position + 1;
      if (text(form, `${prefix}-remove`) === 'yes') return;
      const name = text(form, `${prefix}-name`);
      const relationship = text(form, `${prefix}-relationship`);
      const phone = text(form, `${prefix}-phone`);
      const notes = text(form, `${prefix}-notes`);
      if (!name && !relationship && !phone && !notes) return;
      if (!name) problem(ctx, `${prefix}-name`, `Enter the name of contact ${number}`);
      else if (name.length > 200)
        problem(ctx, `${prefix}-name`, `Name of contact ${number} must be 200 characters or fewer`);
      if (!relationship)
        problem(ctx, `${prefix}-relationship`, `Enter who contact ${number} is to the client`);
      else if (relationship.length > 100)
        problem(ctx, `${prefix}-relationship`, `Who contact ${number} is must be 100 characters or fewer`);
      if (!phone) problem(ctx, `${prefix}-phone`, `Enter a phone number for contact ${number}`);
      else if (!PHONE.test(phone))
        problem(
          ctx,
          `${prefix}-phone`,
          `Enter a phone number for contact ${number} in digits, like 07700 900982`,
        );
      if (notes.length > 1_000)
        problem(ctx, `${prefix}-notes`, `Notes on contact ${number} must be 1,000 characters or fewer`);
      contacts.push({
        contactId: text(form, `${prefix}-id`).toLowerCase(),
        name,
        relationship,
        phone,
        notes: notes || null,
      });
    });
    if (contacts.length > MAX_ROWS)
      problem(ctx, 'contacts', `The plan can hold up to ${MAX_ROWS} emergency contacts`);
    const codeWord = text(form, 'codeWord');
    if (codeWord.length > 50) problem(ctx, 'codeWord', 'The code word must be 50 characters or fewer');
    return { actions, rowOf, contacts, codeWord: codeWord || null };
  });
}

/** The plan's review date: today or later, or none. `today` is YYYY-MM-DD in the UK. */
export function reviewDateSchema(today: string) {
  return z
    .strictObject({
      basedOn: z.string().optional(),
      'reviewOn-day': z.string().optional(),
      'reviewOn-month': z.string().optional(),
      'reviewOn-year': z.string().optional(),
    })
    .transform((form, ctx) => {
      if (!/^\d{1,6}$/.test(form.basedOn ?? '')) throw new BadRequestError('Altered form');
      const reviewOn = dateFrom(form, 'reviewOn');
      if (reviewOn === undefined) problem(ctx, 'reviewOn-day', 'The review date must be a real date');
      else if (reviewOn !== null && reviewOn < today)
        problem(ctx, 'reviewOn-day', 'The review date must be today or in the future');
      return { basedOn: Number(form.basedOn), reviewOn: reviewOn ?? null };
    });
}
