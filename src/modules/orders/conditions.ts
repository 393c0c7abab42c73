import { z } from 'zod';

/**
 * An order's conditions as structured items: what kind of prohibition or requirement each is (in clear, for
 * lists and breach choices) and its exact wording in the order with any places it names (sealed). From these a
 * plain-English summary for the client is written, naming places only by what they are to the client ("your
 * home"), never by address.
 */

export const PROHIBITIONS = [
  'no_contact',
  'no_online_contact',
  'exclusion_zone',
  'distance',
  'no_publishing',
  'no_monitoring',
  'other_prohibition',
] as const;
export const REQUIREMENTS = [
  'attend_assessment',
  'attend_programme',
  'surrender_devices',
  'report_to_police',
  'other_requirement',
] as const;
export const CONDITION_KINDS = [...PROHIBITIONS, ...REQUIREMENTS] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export const CONDITION_KIND_LABELS: Record<ConditionKind, string> = {
  no_contact: 'No contact, direct or indirect',
  no_online_contact: 'No contact through social media or other online means',
  exclusion_zone: 'Not to enter a named area',
  distance: 'Not to come within a set distance of named places',
  no_publishing: 'Not to publish anything about the client',
  no_monitoring: 'Not to monitor, track or record the client',
  other_prohibition: 'Another prohibition',
  attend_assessment: 'Attend an assessment',
  attend_programme: 'Attend a programme',
  surrender_devices: 'Surrender or give access to devices',
  report_to_police: 'Report to a police station',
  other_requirement: 'Another requirement',
};

export const PLACE_KINDS = ['home', 'work', 'school', 'family', 'other'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

/** How a place is named to the client: what it is to them, never where it is. */
export const PLACE_LABELS: Record<PlaceKind, string> = {
  home: 'your home',
  work: 'your work',
  school: 'your school or college',
  family: 'your family’s home',
  other: 'other places named in the order',
};

export const conditionTermsSchema = z.object({
  /** The condition word for word as the order states it. */
  wording: z.string().min(1).max(4000),
  places: z.array(z.enum(PLACE_KINDS)).max(PLACE_KINDS.length),
  /** For exclusion areas and distances: the places or area as the order describes them (may be an address). */
  placeDetails: z.string().max(2000).nullable(),
  distanceMetres: z.number().int().positive().max(100_000).nullable(),
});
export type ConditionTerms = z.infer<typeof conditionTermsSchema>;

export const isProhibition = (kind: ConditionKind) => (PROHIBITIONS as readonly string[]).includes(kind);

function placeList(places: readonly PlaceKind[]): string {
  const named = places.map((place) => PLACE_LABELS[place]);
  if (named.length === 0) return 'the places named in the order';
  return named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} or ${named.at(-1)}`;
}

/** One condition as the client would be told it: "They must not …". */
export function plainCondition(kind: ConditionKind, terms: ConditionTerms): string {
  switch (kind) {
    case 'no_contact':
      return 'They must not contact you in any way, directly or by asking someone else to do it for them.';
    case 'no_online_contact':
      return 'They must not contact you through social media, messaging apps, email or any other online means.';
    case 'exclusion_zone':
      return `They must not go into the area around ${placeList(terms.places)}.`;
    case 'distance':
      return terms.distanceMetres
        ? `They must not come within ${terms.distanceMetres.toLocaleString('en-GB')} metres of ${placeList(terms.places)}.`
        : `They must not come near ${placeList(terms.places)}.`;
    case 'no_publishing':
      return 'They must not publish anything about you, online or anywhere else.';
    case 'no_monitoring':
      return 'They must not watch, follow, track or record you, or use a device or app to do so.';
    case 'attend_assessment':
      return 'They must go to an assessment the court ordered.';
    case 'attend_programme':
      return 'They must go to a programme the court ordered.';
    case 'surrender_devices':
      return 'They must hand over, or let police see, devices named in the order.';
    case 'report_to_police':
      return 'They must report to a police station as the order says.';
    case 'other_prohibition':
    case 'other_requirement':
      return terms.wording;
  }
}

/** What the order forbids and requires, in plain English, fit to share with the client. */
export function plainSummary(conditions: readonly { kind: ConditionKind; terms: ConditionTerms }[]): {
  forbids: string[];
  requires: string[];
} {
  return {
    forbids: conditions.filter((c) => isProhibition(c.kind)).map((c) => plainCondition(c.kind, c.terms)),
    requires: conditions.filter((c) => !isProhibition(c.kind)).map((c) => plainCondition(c.kind, c.terms)),
  };
}
