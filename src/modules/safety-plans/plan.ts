import { z } from 'zod';
import { isOpen, SECTIONS, STATUSES, WHO, type ActionStatus, type SectionKey, type Who } from './sections.ts';

/** One thing the plan says will be done: what, by whom, how far it has got, and whether the client sees it. */
export type PlanAction = {
  /** Stable across versions, so a change can be told from a removal and an addition. */
  actionId: string;
  what: string;
  who: Who;
  /** The person, when someone else does it. */
  whoName: string | null;
  status: ActionStatus;
  /** YYYY-MM-DD */
  reviewOn: string | null;
  /** Shown to the client: on the printed plan and, later, in the victim portal. */
  shared: boolean;
};

export type EmergencyContact = {
  contactId: string;
  name: string;
  relationship: string;
  phone: string;
  notes: string | null;
};

/** A whole version of a plan: what is sealed. */
export type Plan = {
  sections: Record<SectionKey, PlanAction[]>;
  contacts: EmergencyContact[];
  codeWord: string | null;
  /** When the whole plan is next reviewed (YYYY-MM-DD). Also kept in clear beside the sealed plan. */
  reviewOn: string | null;
};

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const actionShape = z.object({
  actionId: z.string(),
  what: z.string(),
  who: z.enum(WHO),
  whoName: z.string().nullable(),
  status: z.enum(STATUSES),
  reviewOn: isoDate.nullable(),
  shared: z.boolean(),
});

/** The shape a sealed plan is checked against when it is opened. */
export const planShape: z.ZodType<Plan> = z.object({
  sections: z.object(
    Object.fromEntries(SECTIONS.map((section) => [section.key, z.array(actionShape)])) as Record<
      SectionKey,
      z.ZodArray<typeof actionShape>
    >,
  ),
  contacts: z.array(
    z.object({
      contactId: z.string(),
      name: z.string(),
      relationship: z.string(),
      phone: z.string(),
      notes: z.string().nullable(),
    }),
  ),
  codeWord: z.string().nullable(),
  reviewOn: isoDate.nullable(),
});

export function emptyPlan(): Plan {
  return {
    sections: Object.fromEntries(SECTIONS.map((section) => [section.key, []])) as unknown as Record<
      SectionKey,
      PlanAction[]
    >,
    contacts: [],
    codeWord: null,
    reviewOn: null,
  };
}

/** Actions still to do or in progress, across the plan. */
export function openActionCount(plan: Plan): number {
  return SECTIONS.reduce(
    (count, section) => count + plan.sections[section.key].filter((action) => isOpen(action.status)).length,
    0,
  );
}

const counted = (count: number, one: string, many: string) => (count === 1 ? one : `${count} ${many}`);

type Identified = { [key: string]: unknown };

/** How two lists of records with ids differ: added, removed and changed, counted. */
function differences<T extends Identified>(before: T[], after: T[], id: keyof T) {
  const earlier = new Map(before.map((item) => [item[id], item]));
  const later = new Map(after.map((item) => [item[id], item]));
  let added = 0;
  let changed = 0;
  let removed = 0;
  for (const [key, item] of later) {
    const previous = earlier.get(key);
    if (!previous) added += 1;
    else if (JSON.stringify(previous) !== JSON.stringify(item)) changed += 1;
  }
  for (const key of earlier.keys()) if (!later.has(key)) removed += 1;
  return { added, changed, removed };
}

/**
 * What changed from one version to the next, in plain words and without personal data: which sections gained,
 * changed or lost actions (counted, never quoted), and whether the contacts, the code word or the review date
 * changed. Empty when nothing changed.
 */
export function changeSummary(before: Plan | null, after: Plan): string {
  const previous = before ?? emptyPlan();
  const changes: string[] = [];
  for (const section of SECTIONS) {
    const { added, changed, removed } = differences(
      previous.sections[section.key],
      after.sections[section.key],
      'actionId',
    );
    if (added) changes.push(`Added ${counted(added, 'an action', 'actions')} to ${section.title}`);
    if (changed) changes.push(`Changed ${counted(changed, 'an action', 'actions')} in ${section.title}`);
    if (removed) changes.push(`Removed ${counted(removed, 'an action', 'actions')} from ${section.title}`);
  }
  const contacts = differences(previous.contacts, after.contacts, 'contactId');
  if (contacts.added)
    changes.push(`Added ${counted(contacts.added, 'an emergency contact', 'emergency contacts')}`);
  if (contacts.changed)
    changes.push(`Changed ${counted(contacts.changed, 'an emergency contact', 'emergency contacts')}`);
  if (contacts.removed)
    changes.push(`Removed ${counted(contacts.removed, 'an emergency contact', 'emergency contacts')}`);
  if (previous.codeWord !== after.codeWord)
    changes.push(
      previous.codeWord === null
        ? 'Set the code word'
        : after.codeWord === null
          ? 'Removed the code word'
          : 'Changed the code word',
    );
  if (previous.reviewOn !== after.reviewOn)
    changes.push(
      previous.reviewOn === null
        ? 'Set the plan’s review date'
        : after.reviewOn === null
          ? 'Removed the plan’s review date'
          : 'Changed the plan’s review date',
    );
  if (changes.length === 0) return '';
  return [...(before === null ? ['Created the plan'] : []), ...changes].join('. ') + '.';
}

/** One save's change: a section's actions (with the contacts and code word on theirs), or the review date. */
export type PlanChange =
  | {
      kind: 'section';
      section: SectionKey;
      actions: PlanAction[];
      /** Only on the emergency contacts section. */
      contacts?: EmergencyContact[];
      codeWord?: string | null;
    }
  | { kind: 'review'; reviewOn: string | null };

/** The plan with one save's change made; the rest of the plan as it was. */
export function applyChange(plan: Plan, change: PlanChange): Plan {
  const next = structuredClone(plan);
  if (change.kind === 'review') {
    next.reviewOn = change.reviewOn;
    return next;
  }
  next.sections[change.section] = change.actions;
  if (change.contacts !== undefined) next.contacts = change.contacts;
  if (change.codeWord !== undefined) next.codeWord = change.codeWord;
  return next;
}
