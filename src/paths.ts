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
  riskTemplates: '/settings/risk-templates',
  riskTemplatesNew: '/settings/risk-templates/new',
  riskTemplate: (templateVersionId = ':templateVersionId') => `/settings/risk-templates/${templateVersionId}`,
  search: '/search',
  referrals: '/referrals',
  referral: (referralId = ':referralId') => `/referrals/${referralId}`,
  referralDecision: (referralId = ':referralId') => `/referrals/${referralId}/decision`,
  cases: '/cases',
  case: (caseId = ':caseId') => `/cases/${caseId}`,
  caseAllocation: (caseId = ':caseId') => `/cases/${caseId}/allocation`,
  caseContactNew: (caseId = ':caseId') => `/cases/${caseId}/contacts/new`,
  caseNotes: (caseId = ':caseId') => `/cases/${caseId}/notes`,
  caseTasks: (caseId = ':caseId') => `/cases/${caseId}/tasks`,
  caseTaskDone: (caseId = ':caseId', taskId = ':taskId') => `/cases/${caseId}/tasks/${taskId}/done`,
  caseClose: (caseId = ':caseId') => `/cases/${caseId}/close`,
  caseReopen: (caseId = ':caseId') => `/cases/${caseId}/reopen`,
  caseOpenOutsideScope: (caseId = ':caseId') => `/cases/${caseId}/access`,
  caseAccessReviews: '/case-access',
  caseAccessReviewed: (grantId = ':grantId') => `/case-access/${grantId}/reviewed`,
  teams: '/staff/teams',
  team: (teamId = ':teamId') => `/staff/teams/${teamId}`,
  staffTeam: (userId = ':userId') => `/staff/${userId}/team`,
  caseTimeline: (caseId = ':caseId') => `/cases/${caseId}/timeline`,
  caseServiceNew: (caseId = ':caseId') => `/cases/${caseId}/services/new`,
  caseServiceEnd: (caseId = ':caseId', serviceId = ':serviceId') =>
    `/cases/${caseId}/services/${serviceId}/end`,
  caseOnwardReferralNew: (caseId = ':caseId') => `/cases/${caseId}/onward-referrals/new`,
  caseOnwardReferralOutcome: (caseId = ':caseId', onwardReferralId = ':onwardReferralId') =>
    `/cases/${caseId}/onward-referrals/${onwardReferralId}/outcome`,
  casePerpetratorNew: (caseId = ':caseId') => `/cases/${caseId}/perpetrators/new`,
  clientIdentity: (caseId = ':caseId') => `/cases/${caseId}/client/identity`,
  clientSafeContact: (caseId = ':caseId') => `/cases/${caseId}/client/safe-contact`,
  clientOtherNames: (caseId = ':caseId') => `/cases/${caseId}/client/other-names`,
  clientAddress: (caseId = ':caseId') => `/cases/${caseId}/client/address`,
  clientAddressChange: (caseId = ':caseId') => `/cases/${caseId}/client/address/change`,
  clientEquality: (caseId = ':caseId') => `/cases/${caseId}/client/equality`,
  clientSupportNeeds: (caseId = ':caseId') => `/cases/${caseId}/client/support-needs`,
  clientDependantNew: (caseId = ':caseId') => `/cases/${caseId}/client/dependants/new`,
  clientDependantRemove: (caseId = ':caseId', dependantId = ':dependantId') =>
    `/cases/${caseId}/client/dependants/${dependantId}/remove`,
  diaryPatterns: (caseId = ':caseId') => `/cases/${caseId}/diary/patterns`,
  perpetrator: (perpetratorId = ':perpetratorId') => `/perpetrators/${perpetratorId}`,
  perpetratorAlerts: '/perpetrators/alerts',
  perpetratorAlertAcknowledge: (alertId = ':alertId') => `/perpetrators/alerts/${alertId}/acknowledge`,
  caseDiary: (caseId = ':caseId') => `/cases/${caseId}/diary`,
  caseDiarySearch: (caseId = ':caseId') => `/cases/${caseId}/diary/search`,
  caseDiaryNew: (caseId = ':caseId') => `/cases/${caseId}/diary/new`,
  caseDiaryNewQuick: (caseId = ':caseId') => `/cases/${caseId}/diary/new-quick`,
  diaryEntry: (caseId = ':caseId', entryId = ':entryId') => `/cases/${caseId}/diary/${entryId}`,
  diaryEntryCorrect: (caseId = ':caseId', entryId = ':entryId') =>
    `/cases/${caseId}/diary/${entryId}/correct`,
  diaryEntryRedact: (caseId = ':caseId', entryId = ':entryId') => `/cases/${caseId}/diary/${entryId}/redact`,
  diaryEntryEvidence: (caseId = ':caseId', entryId = ':entryId') =>
    `/cases/${caseId}/diary/${entryId}/evidence`,
  diaryImport: (caseId = ':caseId') => `/cases/${caseId}/diary/import`,
  diaryImportTemplate: (caseId = ':caseId') => `/cases/${caseId}/diary/import/template.csv`,
  diaryImportPreview: (caseId = ':caseId', importId = ':importId') =>
    `/cases/${caseId}/diary/import/${importId}`,
  diaryImportConfirm: (caseId = ':caseId', importId = ':importId') =>
    `/cases/${caseId}/diary/import/${importId}/confirm`,
  caseEvidenceOriginal: (caseId = ':caseId', evidenceId = ':evidenceId') =>
    `/cases/${caseId}/evidence/${evidenceId}/original`,
  caseEvidenceThumbnail: (caseId = ':caseId', evidenceId = ':evidenceId') =>
    `/cases/${caseId}/evidence/${evidenceId}/thumbnail`,
  caseEvidenceDisplay: (caseId = ':caseId', evidenceId = ':evidenceId') =>
    `/cases/${caseId}/evidence/${evidenceId}/display`,
  caseMarac: (caseId = ':caseId') => `/cases/${caseId}/marac`,
  caseMaracNew: (caseId = ':caseId') => `/cases/${caseId}/marac/new`,
  maracReferral: (caseId = ':caseId', referralId = ':referralId') => `/cases/${caseId}/marac/${referralId}`,
  maracReferralDocument: (caseId = ':caseId', referralId = ':referralId') =>
    `/cases/${caseId}/marac/${referralId}/document`,
  maracReferralMeeting: (caseId = ':caseId', referralId = ':referralId') =>
    `/cases/${caseId}/marac/${referralId}/meeting`,
  maracReferralActions: (caseId = ':caseId', referralId = ':referralId') =>
    `/cases/${caseId}/marac/${referralId}/actions`,
  maracActionDone: (caseId = ':caseId', referralId = ':referralId', actionId = ':actionId') =>
    `/cases/${caseId}/marac/${referralId}/actions/${actionId}/done`,
  caseOrders: (caseId = ':caseId') => `/cases/${caseId}/orders`,
  caseOrderNew: (caseId = ':caseId') => `/cases/${caseId}/orders/new`,
  order: (caseId = ':caseId', orderId = ':orderId') => `/cases/${caseId}/orders/${orderId}`,
  orderStatus: (caseId = ':caseId', orderId = ':orderId') => `/cases/${caseId}/orders/${orderId}/status`,
  orderConditions: (caseId = ':caseId', orderId = ':orderId') =>
    `/cases/${caseId}/orders/${orderId}/conditions`,
  orderConditionEnd: (caseId = ':caseId', orderId = ':orderId', conditionId = ':conditionId') =>
    `/cases/${caseId}/orders/${orderId}/conditions/${conditionId}/end`,
  orderSummary: (caseId = ':caseId', orderId = ':orderId') => `/cases/${caseId}/orders/${orderId}/summary`,
  diaryEntryBreach: (caseId = ':caseId', entryId = ':entryId') => `/cases/${caseId}/diary/${entryId}/breach`,
  breach: (caseId = ':caseId', breachId = ':breachId') => `/cases/${caseId}/breaches/${breachId}`,
  breachReport: (caseId = ':caseId', breachId = ':breachId') =>
    `/cases/${caseId}/breaches/${breachId}/report`,
  breachOutcomes: (caseId = ':caseId', breachId = ':breachId') =>
    `/cases/${caseId}/breaches/${breachId}/outcomes`,
  caseBundles: (caseId = ':caseId') => `/cases/${caseId}/bundles`,
  caseBundleNew: (caseId = ':caseId') => `/cases/${caseId}/bundles/new`,
  caseBundle: (caseId = ':caseId', bundleId = ':bundleId') => `/cases/${caseId}/bundles/${bundleId}`,
  caseBundleDownload: (caseId = ':caseId', bundleId = ':bundleId') =>
    `/cases/${caseId}/bundles/${bundleId}/download`,
  policeBundles: '/bundles',
  policeBundleDownload: (bundleId = ':bundleId') => `/bundles/${bundleId}/download`,
  bundleVerify: '/bundles/verify',
  bundleKey: (keyId = ':keyId') => `/bundles/keys/${keyId}`,
  caseRisk: (caseId = ':caseId') => `/cases/${caseId}/risk`,
  riskAssessment: (caseId = ':caseId', assessmentId = ':assessmentId') =>
    `/cases/${caseId}/risk/${assessmentId}`,
  riskSection: (caseId = ':caseId', assessmentId = ':assessmentId', sectionId = ':sectionId') =>
    `/cases/${caseId}/risk/${assessmentId}/sections/${sectionId}`,
  riskCheck: (caseId = ':caseId', assessmentId = ':assessmentId') =>
    `/cases/${caseId}/risk/${assessmentId}/check`,
  riskComplete: (caseId = ':caseId', assessmentId = ':assessmentId') =>
    `/cases/${caseId}/risk/${assessmentId}/complete`,
  caseSafetyPlan: (caseId = ':caseId') => `/cases/${caseId}/safety-plan`,
  safetyPlanSection: (caseId = ':caseId', section = ':section') =>
    `/cases/${caseId}/safety-plan/sections/${section}`,
  safetyPlanReviewDate: (caseId = ':caseId') => `/cases/${caseId}/safety-plan/review-date`,
  safetyPlanVersions: (caseId = ':caseId') => `/cases/${caseId}/safety-plan/versions`,
  safetyPlanVersion: (caseId = ':caseId', versionNumber = ':versionNumber') =>
    `/cases/${caseId}/safety-plan/versions/${versionNumber}`,
  safetyPlanPrint: (caseId = ':caseId') => `/cases/${caseId}/safety-plan/print`,
  casePoliceContactNew: (caseId = ':caseId') => `/cases/${caseId}/police/contacts/new`,
  casePoliceContacts: (caseId = ':caseId') => `/cases/${caseId}/police/contacts`,
  policeContact: (caseId = ':caseId', contactId = ':contactId') =>
    `/cases/${caseId}/police/contacts/${contactId}`,
  policeContactChange: (caseId = ':caseId', contactId = ':contactId') =>
    `/cases/${caseId}/police/contacts/${contactId}/change`,
  policeContactNotInvolved: (caseId = ':caseId', contactId = ':contactId') =>
    `/cases/${caseId}/police/contacts/${contactId}/no-longer-involved`,
  caseCrimeReferenceNew: (caseId = ':caseId') => `/cases/${caseId}/police/crime-references/new`,
  caseCrimeReferences: (caseId = ':caseId') => `/cases/${caseId}/police/crime-references`,
  crimeReference: (caseId = ':caseId', crimeReferenceId = ':crimeReferenceId') =>
    `/cases/${caseId}/police/crime-references/${crimeReferenceId}`,
  crimeReferenceUpdates: (caseId = ':caseId', crimeReferenceId = ':crimeReferenceId') =>
    `/cases/${caseId}/police/crime-references/${crimeReferenceId}/updates`,
  caseHearingNew: (caseId = ':caseId') => `/cases/${caseId}/court/hearings/new`,
  caseHearings: (caseId = ':caseId') => `/cases/${caseId}/court/hearings`,
  hearing: (caseId = ':caseId', hearingId = ':hearingId') => `/cases/${caseId}/court/hearings/${hearingId}`,
  hearingChange: (caseId = ':caseId', hearingId = ':hearingId') =>
    `/cases/${caseId}/court/hearings/${hearingId}/change`,
  hearingOutcome: (caseId = ':caseId', hearingId = ':hearingId') =>
    `/cases/${caseId}/court/hearings/${hearingId}/outcome`,
  hearings: '/hearings',
  hearingsCalendarFile: '/hearings/calendar.ics',
  caseSpoRequestNew: (caseId = ':caseId') => `/cases/${caseId}/spo-requests/new`,
  caseSpoRequestCheck: (caseId = ':caseId') => `/cases/${caseId}/spo-requests/check`,
  caseSpoRequests: (caseId = ':caseId') => `/cases/${caseId}/spo-requests`,
  spoRequest: (caseId = ':caseId', requestId = ':requestId') => `/cases/${caseId}/spo-requests/${requestId}`,
  spoRequestDocument: (caseId = ':caseId', requestId = ':requestId') =>
    `/cases/${caseId}/spo-requests/${requestId}/document`,
  publicReferral: {
    start: (code = ':code') => `/r/${code}`,
    question: (code = ':code', step = ':step') => `/r/${code}/${step}`,
    check: (code = ':code') => `/r/${code}/check`,
    confirmation: (code = ':code') => `/r/${code}/sent`,
  },
} as const;

/** Where Exit this page sends people: a busy, ordinary site that gives nothing away. */
export const NEUTRAL_EXIT_URL = 'https://www.bbc.co.uk/weather';
