import type { Plan } from './plan.ts';
import { EMERGENCY_STEPS, type ActionStatus, type SectionKey, type Who } from './sections.ts';
import { SHARED_SECTIONS, sharedActionsOf, type SharingContext } from './sharing.ts';

/** Who does it, as the client reads it in their own view. */
const PORTAL_WHO: Record<Exclude<Who, 'other'>, string> = {
  client: 'You',
  caseworker: 'Your support worker',
  police: 'The police',
};

const PORTAL_STATUS: Record<Exclude<ActionStatus, 'not_needed'>, string> = {
  to_do: 'To do',
  in_progress: 'Started',
  done: 'Done',
};

export type PortalAction = {
  what: string;
  who: string;
  status: string;
  /** YYYY-MM-DD */
  reviewOn: string | null;
};

export type PortalPlan = {
  sections: { key: SectionKey; heading: string; actions: PortalAction[] }[];
  emergencySteps: string[];
};

/**
 * What the client will see of their plan in the victim portal: the actions shared with them (not those no
 * longer needed), under the neutral headings of the printed plan, and the steps to take in an emergency (their
 * own shared ones first, then what anyone can do). Never the code word or the emergency contacts, which someone
 * watching over their shoulder or in their account must not learn. Pure: no route shows it yet.
 */
export function portalPlan(plan: Plan, context: SharingContext): PortalPlan {
  return {
    sections: SHARED_SECTIONS.map((section) => ({
      key: section.key,
      heading: section.printTitle,
      actions: sharedActionsOf(plan, section.key, context).map((action) => ({
        what: action.what,
        who: action.who === 'other' ? (action.whoName ?? 'Someone else') : PORTAL_WHO[action.who],
        status: PORTAL_STATUS[action.status as Exclude<ActionStatus, 'not_needed'>],
        reviewOn: action.reviewOn,
      })),
    })).filter((section) => section.actions.length > 0),
    emergencySteps: [
      ...sharedActionsOf(plan, 'emergency', context).map((action) => action.what),
      ...EMERGENCY_STEPS,
    ],
  };
}
