import { z } from 'zod';
import { BadRequestError } from '../../platform/http/forms.ts';
import { lines } from '../perpetrators/perpetrators.schema.ts';

/**
 * The parts of a client's record beyond the referral's answers: other names, address, equality monitoring,
 * children and dependants, and support needs. The option lists follow the Office for National Statistics'
 * Census 2021 questions for England and Wales (high-level groups), each with "Prefer not to say".
 */

export const PREFER_NOT_TO_SAY = { value: 'prefer_not_to_say', text: 'Prefer not to say' } as const;

export const ETHNIC_GROUPS = [
  { value: 'asian', text: 'Asian, Asian British or Asian Welsh' },
  { value: 'black', text: 'Black, Black British, Black Welsh, Caribbean or African' },
  { value: 'mixed', text: 'Mixed or multiple ethnic groups' },
  { value: 'white', text: 'White' },
  { value: 'other', text: 'Another ethnic group' },
  PREFER_NOT_TO_SAY,
] as const;

export const DISABILITY_ANSWERS = [
  { value: 'yes', text: 'Yes' },
  { value: 'no', text: 'No' },
  PREFER_NOT_TO_SAY,
] as const;

export const SEXUAL_ORIENTATIONS = [
  { value: 'straight', text: 'Straight or heterosexual' },
  { value: 'gay_or_lesbian', text: 'Gay or lesbian' },
  { value: 'bisexual', text: 'Bisexual' },
  { value: 'other', text: 'Another sexual orientation' },
  PREFER_NOT_TO_SAY,
] as const;

export const RELIGIONS = [
  { value: 'none', text: 'No religion' },
  { value: 'christian', text: 'Christian' },
  { value: 'buddhist', text: 'Buddhist' },
  { value: 'hindu', text: 'Hindu' },
  { value: 'jewish', text: 'Jewish' },
  { value: 'muslim', text: 'Muslim' },
  { value: 'sikh', text: 'Sikh' },
  { value: 'other', text: 'Another religion' },
  PREFER_NOT_TO_SAY,
] as const;

export const GENDER_SAME_AS_BIRTH_ANSWERS = [
  { value: 'yes', text: 'Yes' },
  { value: 'no', text: 'No' },
  PREFER_NOT_TO_SAY,
] as const;

export const SUPPORT_NEEDS = [
  { value: 'mental_health', text: 'Mental health' },
  { value: 'physical_health', text: 'Physical health' },
  { value: 'disability_adjustments', text: 'Adjustments for a disability' },
  { value: 'housing', text: 'Housing' },
  { value: 'immigration', text: 'Worried about their immigration status' },
  { value: 'money', text: 'Money or benefits' },
  { value: 'substance_use', text: 'Drug or alcohol use' },
  { value: 'caring', text: 'Caring for someone' },
  { value: 'other', text: 'Something else' },
] as const;

type ValueOf<T extends readonly { value: string }[]> = T[number]['value'];
export type EthnicGroup = ValueOf<typeof ETHNIC_GROUPS>;
export type DisabilityAnswer = ValueOf<typeof DISABILITY_ANSWERS>;
export type SexualOrientation = ValueOf<typeof SEXUAL_ORIENTATIONS>;
export type Religion = ValueOf<typeof RELIGIONS>;
export type GenderSameAsBirth = ValueOf<typeof GENDER_SAME_AS_BIRTH_ANSWERS>;
export type SupportNeed = ValueOf<typeof SUPPORT_NEEDS>;

const valuesOf = <T extends readonly { value: string }[]>(options: T) =>
  options.map((option) => option.value) as [ValueOf<T>, ...ValueOf<T>[]];

/** Equality monitoring: every question is optional; null means it has not been asked. */
export const equalityDocument = z.strictObject({
  ethnicity: z.enum(valuesOf(ETHNIC_GROUPS)).nullable(),
  ethnicityDescription: z.string().nullable(),
  disability: z.enum(valuesOf(DISABILITY_ANSWERS)).nullable(),
  sexualOrientation: z.enum(valuesOf(SEXUAL_ORIENTATIONS)).nullable(),
  sexualOrientationDescription: z.string().nullable(),
  religion: z.enum(valuesOf(RELIGIONS)).nullable(),
  religionDescription: z.string().nullable(),
  genderSameAsBirth: z.enum(valuesOf(GENDER_SAME_AS_BIRTH_ANSWERS)).nullable(),
  genderIdentity: z.string().nullable(),
});
export type Equality = z.infer<typeof equalityDocument>;

export const NOT_ASKED: Equality = {
  ethnicity: null,
  ethnicityDescription: null,
  disability: null,
  sexualOrientation: null,
  sexualOrientationDescription: null,
  religion: null,
  religionDescription: null,
  genderSameAsBirth: null,
  genderIdentity: null,
};

/** Where the client lives, and whether post may be sent there. */
export const addressDocument = z.strictObject({
  line1: z.string(),
  line2: z.string().nullable(),
  town: z.string(),
  county: z.string().nullable(),
  postcode: z.string().nullable(),
  lettersSafe: z.boolean(),
});
export type Address = z.infer<typeof addressDocument>;

export const aliasesDocument = z.array(z.string());

/** The needs beyond language and accessibility (which the client's row holds, copied from the referral). */
export const otherNeedsDocument = z.strictObject({
  needs: z.array(z.enum(valuesOf(SUPPORT_NEEDS))),
  details: z.string().nullable(),
});
export type OtherNeeds = z.infer<typeof otherNeedsDocument>;

export type SupportNeeds = OtherNeeds & {
  language: string | null;
  interpreterNeeded: boolean | null;
  accessibilityNeeds: string | null;
};

/** A child or other dependant. An age typed instead of a year of birth is kept as an estimated year. */
export const dependantDocument = z.strictObject({
  name: z.string(),
  yearOfBirth: z.number().int().nullable(),
  yearEstimated: z.boolean(),
  livesWithClient: z.boolean(),
  notes: z.string().nullable(),
});
export type DependantDetails = z.infer<typeof dependantDocument>;
export type NewDependant = DependantDetails & { submissionId: string };

export const MAX_ALIASES = 20;
const MAX_NAME = 200;
const MAX_SHORT = 100;
const MAX_TEXT = 2000;

const text = z.string().optional();
const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : [value].flat().filter((item) => item !== '')));
const trimmed = (value: string | undefined): string => value?.trim() ?? '';
const orNull = (value: string | undefined): string | null => trimmed(value) || null;

function problem(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

function choice<T extends readonly { value: string }[]>(
  options: T,
  value: string | undefined,
): ValueOf<T> | null | undefined {
  if (!value) return null;
  return options.find((option) => option.value === value)?.value;
}

/** Other names: one on each line, each once (ignoring case). */
export const otherNamesSchema = z.strictObject({ aliases: text }).transform((form, ctx) => {
  const seen = new Set<string>();
  const aliases = lines(form.aliases).filter((alias) => {
    const key = alias.toLowerCase().replace(/\s+/g, ' ');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (aliases.length > MAX_ALIASES) problem(ctx, 'aliases', `Enter ${MAX_ALIASES} names or fewer`);
  else {
    const long = aliases.findIndex((alias) => alias.length > MAX_NAME);
    if (long !== -1)
      problem(
        ctx,
        'aliases',
        aliases.length > 1
          ? `The name on line ${long + 1} must be 200 characters or fewer`
          : 'Name must be 200 characters or fewer',
      );
  }
  return aliases;
});

const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/;

/** A UK postcode in capitals with one space ("SW1A 1AA"), or null if it is not one. */
export function normalisePostcode(value: string): string | null {
  const match = POSTCODE.exec(value.toUpperCase().replace(/\s+/g, ' ').trim());
  return match ? `${match[1]} ${match[2]}` : null;
}

/** The address form: an address to keep, or (with the "Remove address" button) none. */
export const addressSchema = z
  .strictObject({
    line1: text,
    line2: text,
    town: text,
    county: text,
    postcode: text,
    lettersSafe: text,
    remove: text,
  })
  .transform((form, ctx): Address | null => {
    if (form.remove === 'yes') return null;
    const line1 = trimmed(form.line1);
    const town = trimmed(form.town);
    if (!line1) problem(ctx, 'line1', 'Enter address line 1, typically the building and street');
    else if (line1.length > MAX_SHORT)
      problem(ctx, 'line1', 'Address line 1 must be 100 characters or fewer');
    if (trimmed(form.line2).length > MAX_SHORT)
      problem(ctx, 'line2', 'Address line 2 must be 100 characters or fewer');
    if (!town) problem(ctx, 'town', 'Enter town or city');
    else if (town.length > MAX_SHORT) problem(ctx, 'town', 'Town or city must be 100 characters or fewer');
    if (trimmed(form.county).length > MAX_SHORT)
      problem(ctx, 'county', 'County must be 100 characters or fewer');
    const postcode = trimmed(form.postcode) ? normalisePostcode(trimmed(form.postcode)) : null;
    if (trimmed(form.postcode) && !postcode) problem(ctx, 'postcode', 'Enter a real postcode, like AA1 1AA');
    if (form.lettersSafe !== 'yes' && form.lettersSafe !== 'no')
      problem(ctx, 'lettersSafe', 'Select yes if it is safe to send letters to this address');
    return {
      line1,
      line2: orNull(form.line2),
      town,
      county: orNull(form.county),
      postcode,
      lettersSafe: form.lettersSafe === 'yes',
    };
  });

/** Equality monitoring: nothing is required; "Another" answers may be described. */
export const equalitySchema = z
  .strictObject({
    ethnicity: text,
    ethnicityDescription: text,
    disability: text,
    sexualOrientation: text,
    sexualOrientationDescription: text,
    religion: text,
    religionDescription: text,
    genderSameAsBirth: text,
    genderIdentity: text,
  })
  .transform((form, ctx): Equality => {
    const pick = <T extends readonly { value: string }[]>(
      field: keyof typeof form,
      options: T,
      message: string,
    ): ValueOf<T> | null => {
      const value = choice(options, form[field]);
      if (value === undefined) {
        problem(ctx, field, message);
        return null;
      }
      return value;
    };
    const described = (field: keyof typeof form, when: boolean, label: string): string | null => {
      const value = trimmed(form[field]);
      if (!when || !value) return null;
      if (value.length > MAX_SHORT) problem(ctx, field, `${label} must be 100 characters or fewer`);
      return value;
    };
    const ethnicity = pick('ethnicity', ETHNIC_GROUPS, 'Select an ethnic group from the list');
    const ethnicityDescription = described('ethnicityDescription', ethnicity === 'other', 'Ethnic group');
    const disability = pick('disability', DISABILITY_ANSWERS, 'Select yes, no or prefer not to say');
    const sexualOrientation = pick(
      'sexualOrientation',
      SEXUAL_ORIENTATIONS,
      'Select a sexual orientation from the list',
    );
    const sexualOrientationDescription = described(
      'sexualOrientationDescription',
      sexualOrientation === 'other',
      'Sexual orientation',
    );
    const religion = pick('religion', RELIGIONS, 'Select a religion from the list');
    const religionDescription = described('religionDescription', religion === 'other', 'Religion');
    const genderSameAsBirth = pick(
      'genderSameAsBirth',
      GENDER_SAME_AS_BIRTH_ANSWERS,
      'Select yes, no or prefer not to say',
    );
    const genderIdentity = described('genderIdentity', genderSameAsBirth === 'no', 'Gender identity');
    return {
      ethnicity,
      ethnicityDescription,
      disability,
      sexualOrientation,
      sexualOrientationDescription,
      religion,
      religionDescription,
      genderSameAsBirth,
      genderIdentity,
    };
  });

/** Support needs: language and interpreter, accessibility, and other needs with more detail. */
export const supportNeedsSchema = z
  .strictObject({
    language: text,
    interpreterNeeded: text,
    accessibilityNeeds: text,
    needs: list,
    details: text,
  })
  .transform((form, ctx): SupportNeeds => {
    const language = orNull(form.language);
    if (language && language.length > MAX_SHORT)
      problem(ctx, 'language', 'Language must be 100 characters or fewer');
    if (form.interpreterNeeded !== 'yes' && form.interpreterNeeded !== 'no')
      problem(ctx, 'interpreterNeeded', 'Select yes if the client needs an interpreter');
    else if (form.interpreterNeeded === 'yes' && !language)
      problem(ctx, 'language', 'Enter the language the client needs an interpreter for');
    const accessibilityNeeds = orNull(form.accessibilityNeeds);
    if (accessibilityNeeds && accessibilityNeeds.length > MAX_TEXT)
      problem(ctx, 'accessibilityNeeds', 'Accessibility needs must be 2,000 characters or fewer');
    const needs = SUPPORT_NEEDS.map((option) => option.value).filter((value) => form.needs.includes(value));
    if (needs.length !== new Set(form.needs).size) problem(ctx, 'needs', 'Select needs from the list');
    const details = orNull(form.details);
    if (details && details.length > MAX_TEXT)
      problem(ctx, 'details', 'More about these needs must be 2,000 characters or fewer');
    return {
      language,
      interpreterNeeded: form.interpreterNeeded === undefined ? null : form.interpreterNeeded === 'yes',
      accessibilityNeeds,
      needs,
      details,
    };
  });

/** Adding a child or dependant. `currentYear` (in the UK) bounds the year of birth and turns an age into one. */
export function dependantSchema(currentYear: number) {
  return z
    .strictObject({
      submissionId: z.string(),
      name: text,
      yearOfBirth: text,
      age: text,
      livesWithClient: text,
      notes: text,
    })
    .transform((form, ctx): NewDependant => {
      if (!z.uuid().safeParse(form.submissionId).success) throw new BadRequestError('Altered form');
      const name = trimmed(form.name);
      if (!name) problem(ctx, 'name', 'Enter their first name or initials');
      else if (name.length > 50)
        problem(ctx, 'name', 'First name or initials must be 50 characters or fewer');
      const yearText = trimmed(form.yearOfBirth);
      const ageText = trimmed(form.age);
      let yearOfBirth: number | null = null;
      let yearEstimated = false;
      if (yearText) {
        if (!/^\d{4}$/.test(yearText)) problem(ctx, 'yearOfBirth', 'Year of birth must be a year, like 2015');
        else if (Number(yearText) > currentYear || Number(yearText) < currentYear - 120)
          problem(
            ctx,
            'yearOfBirth',
            `Year of birth must be between ${currentYear - 120} and ${currentYear}`,
          );
        else yearOfBirth = Number(yearText);
        if (ageText) problem(ctx, 'age', 'Enter their year of birth or their age, not both');
      } else if (ageText) {
        if (!/^\d{1,3}$/.test(ageText) || Number(ageText) > 120)
          problem(ctx, 'age', 'Age must be a whole number of years between 0 and 120');
        else {
          yearOfBirth = currentYear - Number(ageText);
          yearEstimated = true;
        }
      } else problem(ctx, 'yearOfBirth', 'Enter their year of birth or their age');
      if (form.livesWithClient !== 'yes' && form.livesWithClient !== 'no')
        problem(ctx, 'livesWithClient', 'Select yes if they live with the client');
      const notes = orNull(form.notes);
      if (notes && notes.length > 1000) problem(ctx, 'notes', 'Notes must be 1,000 characters or fewer');
      return {
        submissionId: form.submissionId,
        name,
        yearOfBirth,
        yearEstimated,
        livesWithClient: form.livesWithClient === 'yes',
        notes,
      };
    });
}
