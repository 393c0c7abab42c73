import { findAddress, namesAnyone } from './address-detector.ts';
import type { Plan, PlanAction } from './plan.ts';
import { SECTIONS, type SectionKey } from './sections.ts';

/** What must never be in the words of an action shown to the client or printed. */
export type SharingContext = {
  /** The people responsible on the case (names and aliases). */
  perpetratorNames: string[];
  codeWord: string | null;
  contactPhones: string[];
};

export type SharingProblem = 'postcode' | 'street_address' | 'perpetrator' | 'code_word' | 'contact_phone';

export const SHARING_PROBLEMS: Record<SharingProblem, string> = {
  postcode: 'looks like it has a postcode in it',
  street_address: 'looks like it has a street address in it',
  perpetrator: 'names the person responsible',
  code_word: 'has the code word in it',
  contact_phone: 'has an emergency contact’s phone number in it',
};

const digits = (value: string) => value.replace(/\D/g, '');
/** A phone number's digits without +44 or the leading 0, so "07700 900461" and "+44 7700 900461" match. */
const nationalNumber = (value: string) => digits(value).replace(/^44/, '').replace(/^0/, '');

export function sharingContextOf(plan: Plan, perpetratorNames: string[]): SharingContext {
  return {
    perpetratorNames,
    codeWord: plan.codeWord,
    contactPhones: plan.contacts.map((contact) => contact.phone),
  };
}

/** Why these words may not be shared with the client or printed, or null when they may. */
export function sharingProblem(text: string, context: SharingContext): SharingProblem | null {
  const address = findAddress(text);
  if (address) return address.kind;
  if (namesAnyone(text, context.perpetratorNames)) return 'perpetrator';
  const codeWord = context.codeWord?.trim().toLowerCase();
  if (codeWord && text.toLowerCase().includes(codeWord)) return 'code_word';
  const textDigits = digits(text);
  if (
    context.contactPhones.some((phone) => {
      const number = nationalNumber(phone);
      return number.length >= 6 && textDigits.includes(number);
    })
  )
    return 'contact_phone';
  return null;
}

/** The words of an action that are shown: what is done and, when someone else does it, who. */
export const sharedWords = (action: PlanAction) => [action.what, action.whoName ?? ''].join('\n');

/**
 * The actions of a section the client sees: marked shared, not dropped as no longer needed, and (checked again
 * here, whatever was saved) free of anything that may not be shared.
 */
export function sharedActionsOf(plan: Plan, key: SectionKey, context: SharingContext): PlanAction[] {
  return plan.sections[key].filter(
    (action) =>
      action.shared &&
      action.status !== 'not_needed' &&
      sharingProblem(sharedWords(action), context) === null,
  );
}

export const SHARED_SECTIONS = SECTIONS.filter((section) => section.key !== 'emergency');
