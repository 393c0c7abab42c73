/** Every address in Vigil's foundation, used by routes, redirects and templates alike. */
export const paths = {
  home: '/',
  health: '/health',
  ready: '/ready',
  setup: (token = ':token') => `/setup/${token}`,
  signIn: '/sign-in',
  signInCode: '/sign-in/code',
  signOut: '/sign-out',
  enrolAuthenticator: '/account/authenticator',
  account: '/account',
  endSession: (sessionId = ':sessionId') => `/account/sessions/${sessionId}/end`,
  staff: '/staff',
  inviteStaff: '/staff/invite',
  staffMember: (userId = ':userId') => `/staff/${userId}`,
  staffRole: (userId = ':userId') => `/staff/${userId}/role`,
  staffDisable: (userId = ':userId') => `/staff/${userId}/disable`,
  staffEnable: (userId = ':userId') => `/staff/${userId}/enable`,
  staffReinvite: (userId = ':userId') => `/staff/${userId}/invitation`,
  invitation: (token = ':token') => `/invitation/${token}`,
  audit: '/audit',
  exit: '/exit',
  settings: '/settings',
  referrals: '/referrals',
  referral: (referralId = ':referralId') => `/referrals/${referralId}`,
  referralDecision: (referralId = ':referralId') => `/referrals/${referralId}/decision`,
  cases: '/cases',
  case: (caseId = ':caseId') => `/cases/${caseId}`,
  caseAllocation: (caseId = ':caseId') => `/cases/${caseId}/allocation`,
  publicReferral: {
    start: (code = ':code') => `/r/${code}`,
    question: (code = ':code', step = ':step') => `/r/${code}/${step}`,
    check: (code = ':code') => `/r/${code}/check`,
    confirmation: (code = ':code') => `/r/${code}/sent`,
  },
} as const;

/** Where Exit this page sends people: a busy, ordinary site that gives nothing away. */
export const NEUTRAL_EXIT_URL = 'https://www.bbc.co.uk/weather';
