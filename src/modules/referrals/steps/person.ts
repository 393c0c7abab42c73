import { z } from 'zod';
import { GENDERS } from '../referral-answers.ts';
import { parseDateOfBirth } from './date-of-birth.ts';
import { isOneOf, items, orNull, problem, text, textOf, tooLong, type Step } from './step.ts';

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** The person being stalked: name, date of birth (or age, when it is not known) and gender. */
export const person: Step = {
  id: 'person',
  template: 'referral/person.njk',
  title: (context) => (context.route === 'self' ? 'About you' : 'About the person'),
  section: (context) => (context.route === 'self' ? 'About you' : 'About the person'),
  fields: ['personName', 'dateOfBirth', 'personAge', 'gender', 'genderDescription'],
  schema: (context) => {
    const self = context.route === 'self';
    return z
      .strictObject({
        personName: text,
        'dateOfBirth-day': text,
        'dateOfBirth-month': text,
        'dateOfBirth-year': text,
        dateOfBirthUnknown: text,
        personAge: text,
        gender: text,
        genderDescription: text,
      })
      .superRefine((input, ctx) => {
        if (!input.personName)
          problem(ctx, 'personName', self ? 'Enter your full name' : "Enter the person's full name");
        tooLong(ctx, 'personName', input.personName, 200, 'Full name');
        if (input.dateOfBirthUnknown === 'yes') {
          if (!input.personAge)
            problem(ctx, 'personAge', self ? 'Enter your age' : 'Enter their age, or your best guess');
          else if (!/^\d{1,3}$/.test(input.personAge) || Number(input.personAge) > 120)
            problem(ctx, 'personAge', 'Age must be a whole number between 0 and 120');
        } else {
          const outcome = parseDateOfBirth(
            {
              day: input['dateOfBirth-day'],
              month: input['dateOfBirth-month'],
              year: input['dateOfBirth-year'],
            },
            context.today,
          );
          if (outcome.kind === 'empty')
            problem(
              ctx,
              'dateOfBirth',
              self
                ? 'Enter your date of birth, or select that you would rather give your age'
                : 'Enter their date of birth, or select that you do not know it',
              ['day', 'month', 'year'],
            );
          if (outcome.kind === 'error') problem(ctx, 'dateOfBirth', outcome.message, outcome.parts);
        }
        if (input.gender && !isOneOf(GENDERS, input.gender)) problem(ctx, 'gender', 'Select a gender');
        // The description is revealed by "Prefer to self-describe", and asked for only then.
        if (input.gender === 'self_described') {
          if (!input.genderDescription)
            problem(
              ctx,
              'genderDescription',
              self ? 'Enter how you describe your gender' : 'Enter how they describe their gender',
            );
          tooLong(ctx, 'genderDescription', input.genderDescription, 100, 'Gender');
        }
      })
      .transform((input) => {
        const ageInstead = input.dateOfBirthUnknown === 'yes';
        const dateOfBirth = parseDateOfBirth(
          {
            day: input['dateOfBirth-day'],
            month: input['dateOfBirth-month'],
            year: input['dateOfBirth-year'],
          },
          context.today,
        );
        return {
          personName: orNull(input.personName),
          personDateOfBirth: !ageInstead && dateOfBirth.kind === 'date' ? dateOfBirth.date : null,
          personAge: ageInstead ? Number(input.personAge) : null,
          gender: orNull(input.gender),
          // A description typed before choosing another answer is not kept.
          genderDescription: input.gender === 'self_described' ? orNull(input.genderDescription) : null,
        };
      });
  },
  toValues: (answers) => {
    const [year, month, day] = answers.personDateOfBirth?.split('-') ?? [];
    return {
      personName: answers.personName,
      'dateOfBirth-day': day ? String(Number(day)) : undefined,
      'dateOfBirth-month': month ? String(Number(month)) : undefined,
      'dateOfBirth-year': year,
      dateOfBirthUnknown:
        answers.personDateOfBirth === null && answers.personAge !== null ? 'yes' : undefined,
      personAge: answers.personAge === null ? undefined : String(answers.personAge),
      gender: answers.gender ?? undefined,
      genderDescription: answers.genderDescription,
    };
  },
  view: (values, context, errors) => {
    const parts = errors?.dateParts.dateOfBirth ?? [];
    return {
      dateItems: (['day', 'month', 'year'] as const).map((part) => ({
        name: part,
        classes: part === 'year' ? 'govuk-input--width-4' : 'govuk-input--width-2',
        error: parts.includes(part),
        value: values[`dateOfBirth-${part}`],
        autocomplete: context.route === 'self' ? `bday-${part}` : 'off',
      })),
      ageInstead: values.dateOfBirthUnknown === 'yes',
      genders: items(GENDERS, values.gender),
    };
  },
  summary: (answers, context) => {
    const self = context.route === 'self';
    const gender =
      answers.gender === 'self_described' && answers.genderDescription
        ? answers.genderDescription
        : textOf(GENDERS, answers.gender);
    return [
      { key: 'Full name', value: answers.personName },
      answers.personDateOfBirth || answers.personAge === null
        ? {
            key: 'Date of birth',
            value: answers.personDateOfBirth
              ? dateFormat.format(new Date(`${answers.personDateOfBirth}T00:00:00Z`))
              : null,
          }
        : { key: self ? 'Age' : 'Age (or best guess)', value: String(answers.personAge) },
      { key: 'Gender', value: gender },
    ];
  },
};
