// The service and the people the browser tests create, in the order the specs create them.
import type { Person } from './run-state.ts';

export const SERVICE_NAME = 'Northshire Advocacy Service';

export const ADMINISTRATOR: Person = {
  name: 'Priya Raman',
  email: 'priya.raman@northshire.example.org',
  passphrase: 'copper lantern orchard 4417',
};

export const CASEWORKER: Person = {
  name: 'Jordan Ellis',
  email: 'jordan.ellis@northshire.example.org',
  passphrase: 'velvet harbour tinsel 2093',
};

export const POLICE_LIAISON: Person = {
  name: 'Sam Okafor',
  email: 'sam.okafor@northshire.example.org',
  passphrase: 'granite meadow puzzle 7781',
};
