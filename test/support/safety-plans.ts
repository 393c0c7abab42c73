import { randomUUID } from 'node:crypto';
import {
  emptyPlan,
  type EmergencyContact,
  type Plan,
  type PlanAction,
} from '../../src/modules/safety-plans/plan.ts';
import type { SectionKey } from '../../src/modules/safety-plans/sections.ts';

/** An action, shared with the client unless a trait says otherwise. */
export function anAction(overrides: Partial<PlanAction> = {}): PlanAction {
  return {
    actionId: randomUUID(),
    what: 'Fit a chain and a spy hole on the front door',
    who: 'caseworker',
    whoName: null,
    status: 'to_do',
    reviewOn: null,
    shared: true,
    ...overrides,
  };
}

export function aContact(overrides: Partial<EmergencyContact> = {}): EmergencyContact {
  return {
    contactId: randomUUID(),
    name: 'Bronwen Tallis',
    relationship: 'Sister',
    phone: '07700 900461',
    notes: 'Knows the code word',
    ...overrides,
  };
}

/** A plan built up with traits: `aPlan().with('home-security', anAction()).withContact().withCodeWord('x').build()`. */
export function aPlan() {
  const plan: Plan = emptyPlan();
  const builder = {
    with(section: SectionKey, ...actions: PlanAction[]) {
      plan.sections[section].push(...actions);
      return builder;
    },
    withContact(contact: EmergencyContact = aContact()) {
      plan.contacts.push(contact);
      return builder;
    },
    withCodeWord(codeWord: string) {
      plan.codeWord = codeWord;
      return builder;
    },
    reviewedOn(date: string) {
      plan.reviewOn = date;
      return builder;
    },
    build(): Plan {
      return structuredClone(plan);
    },
  };
  return builder;
}
