import { formatIsoDate } from '../cases/case-view.ts';
import type { Plan, PlanAction } from './plan.ts';
import { EMERGENCY_STEPS, STATUS_LABELS, type Who } from './sections.ts';
import { SHARED_SECTIONS, sharedActionsOf, type SharingContext } from './sharing.ts';

/** Who does it, in the client's voice, naming no service. */
const PRINT_WHO: Record<Exclude<Who, 'other'>, string> = {
  client: 'Me',
  caseworker: 'My support worker',
  police: 'The police',
};

export type PrintedAction = { what: string; who: string; status: string; review: string | null };

export type PrintablePlan = {
  title: string;
  sections: { heading: string; actions: PrintedAction[] }[];
  emergency: { heading: string; steps: string[] };
};

const printed = (action: PlanAction): PrintedAction => ({
  what: action.what,
  who: action.who === 'other' ? (action.whoName ?? 'Someone else') : PRINT_WHO[action.who],
  status: STATUS_LABELS[action.status],
  review: action.reviewOn ? formatIsoDate(action.reviewOn) : null,
});

/**
 * The plan as it may be printed and handed to the client, who may have it found: a neutral title, neutral
 * headings, and only the actions marked shared, in the words agreed with the client. Never the code word, the
 * emergency contacts, the review of the whole plan, the case, the service or anything that looks like an
 * address or names the person responsible (checked again here, whatever was saved).
 */
export function safeToPrint(plan: Plan, context: SharingContext): PrintablePlan {
  return {
    title: 'My plan',
    sections: SHARED_SECTIONS.map((section) => ({
      heading: section.printTitle,
      actions: sharedActionsOf(plan, section.key, context).map(printed),
    })).filter((section) => section.actions.length > 0),
    emergency: {
      heading: 'If I need help quickly',
      steps: [
        ...sharedActionsOf(plan, 'emergency', context).map((action) => action.what),
        ...EMERGENCY_STEPS,
      ],
    },
  };
}
