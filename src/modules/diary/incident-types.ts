/**
 * The diary's vocabulary, in one place: what kinds of behaviour an incident can show (the Protection from
 * Harassment Act 1997 s.2A(3) list, then the forms services see most), its impact on the victim, and the
 * channel used. The database checks the same values (migration 20261125T0900-diary).
 */
export const INCIDENT_BEHAVIOURS = [
  { value: 'following', text: 'Following' },
  { value: 'contact', text: 'Contact or trying to make contact' },
  { value: 'publishing', text: 'Publishing material about them' },
  { value: 'monitoring', text: 'Monitoring their phone, email or internet use' },
  { value: 'loitering', text: 'Loitering somewhere they go' },
  { value: 'property', text: 'Interfering with or damaging property' },
  { value: 'watching', text: 'Watching or spying' },
  { value: 'messages', text: 'Messages (texts, emails, letters)' },
  { value: 'calls', text: 'Phone calls' },
  { value: 'social_media', text: 'Social media contact' },
  { value: 'fake_accounts', text: 'Fake accounts or impersonation' },
  { value: 'tracking', text: 'Tracking devices or apps' },
  { value: 'gifts', text: 'Unwanted gifts' },
  { value: 'third_parties', text: 'Contacting friends, family or employer' },
  { value: 'turning_up_home', text: 'Turning up at their home' },
  { value: 'turning_up_work_school', text: 'Turning up at work, school or college' },
  { value: 'threats', text: 'Threats' },
  { value: 'violence', text: 'Violence' },
  { value: 'sexual', text: 'Sexual behaviour' },
  { value: 'order_breach', text: 'Breach of a court order or bail conditions' },
] as const;
export type IncidentBehaviour = (typeof INCIDENT_BEHAVIOURS)[number]['value'];

export const INCIDENT_IMPACTS = [
  { value: 'fear_of_violence', text: 'They feared violence would be used against them' },
  { value: 'alarm_or_distress', text: 'It caused them serious alarm or distress' },
  {
    value: 'changed_routine',
    text: 'They changed their routine (for example their route, work or going out)',
  },
] as const;
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number]['value'];

export const INCIDENT_CHANNELS = [
  { value: 'in_person', text: 'In person' },
  { value: 'phone_call', text: 'Phone call' },
  { value: 'text_message', text: 'Text message' },
  { value: 'email', text: 'Email' },
  { value: 'social_media', text: 'Social media' },
  { value: 'messaging_app', text: 'Messaging app (for example WhatsApp)' },
  { value: 'letter_or_post', text: 'Letter, post or delivery' },
  { value: 'through_others', text: 'Through other people' },
  { value: 'other', text: 'Another way' },
] as const;
export type IncidentChannel = (typeof INCIDENT_CHANNELS)[number]['value'];

export function behaviourLabel(value: string): string {
  return INCIDENT_BEHAVIOURS.find((b) => b.value === value)?.text ?? value;
}
