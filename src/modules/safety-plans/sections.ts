/**
 * The sections of a safety plan, fixed in code: what each is called on staff pages, the short guidance a
 * caseworker sees while building it with the client, and the neutral heading it has on the printed plan (which
 * must not tell anyone who finds it what it is).
 */
export const SECTIONS = [
  {
    key: 'home-security',
    title: 'Home security',
    printTitle: 'At home',
    hint: 'Locks, lighting, a video doorbell or camera, what to do if they come to the door, who has keys.',
  },
  {
    key: 'travel-and-routines',
    title: 'Travel and routines',
    printTitle: 'Getting about',
    hint: 'Changing routes and times, who travels with the client, safe places on the way, parking and the car.',
  },
  {
    key: 'work-school-college',
    title: 'Work, school or college',
    printTitle: 'Work, school or college',
    hint: 'Who there knows, a photo for reception, answering the phone, getting in and out safely.',
  },
  {
    key: 'phone-and-online',
    title: 'Phone and online safety',
    printTitle: 'Phone and online',
    hint: 'Privacy settings, location sharing turned off, new passwords, checks for stalkerware and trackers, blocking without deleting evidence.',
  },
  {
    key: 'children',
    title: 'Children',
    printTitle: 'Children',
    hint: 'School or nursery told who may collect, what the children should do, contact arrangements.',
  },
  {
    key: 'emergency-contacts',
    title: 'Emergency contacts and a code word',
    printTitle: 'People I can call',
    hint: 'People the client can call quickly, and a code word that tells them to call 999.',
  },
  {
    key: 'evidence',
    title: 'Evidence gathering',
    printTitle: 'Keeping a record',
    hint: 'Keeping a diary, screenshots with dates, saving messages and voicemails, reporting each incident to the police.',
  },
  {
    key: 'emergency',
    title: 'What to do in an emergency',
    printTitle: 'If I need help quickly',
    hint: 'Where to go, who to call, a bag ready, how to call 999 without speaking.',
  },
] as const;

export type SectionKey = (typeof SECTIONS)[number]['key'];
export type Section = (typeof SECTIONS)[number];

export const SECTION_KEYS = SECTIONS.map((section) => section.key) as readonly SectionKey[];

export function sectionOf(key: string): Section | undefined {
  return SECTIONS.find((section) => section.key === key);
}

export const WHO = ['client', 'caseworker', 'police', 'other'] as const;
export type Who = (typeof WHO)[number];

export const WHO_LABELS: Record<Who, string> = {
  client: 'The client',
  caseworker: 'The caseworker',
  police: 'The police',
  other: 'Someone else',
};

export const STATUSES = ['to_do', 'in_progress', 'done', 'not_needed'] as const;
export type ActionStatus = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<ActionStatus, string> = {
  to_do: 'To do',
  in_progress: 'In progress',
  done: 'Done',
  not_needed: 'No longer needed',
};

/** An action is open while it is still to be done or being done. */
export const isOpen = (status: ActionStatus) => status === 'to_do' || status === 'in_progress';

/**
 * What anyone can do in an emergency, on the printed plan and the client's own view: public advice, naming no
 * service, so nothing in it says what the plan is for.
 */
export const EMERGENCY_STEPS = [
  'If you are in danger, call 999.',
  'If you call 999 from a mobile and cannot speak, listen to the questions, then press 55 when asked.',
] as const;
