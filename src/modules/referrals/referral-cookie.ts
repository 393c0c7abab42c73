import type { FastifyReply } from 'fastify';

/** Holds the unfinished referral's draft token for this browser session only (no expiry: gone when closed). */
export const REFERRAL_COOKIE = '__Host-vigil-referral';

const options = { path: '/', secure: true, httpOnly: true, sameSite: 'lax' } as const;

export function setReferralCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(REFERRAL_COOKIE, token, options);
}

export function clearReferralCookie(reply: FastifyReply): void {
  reply.clearCookie(REFERRAL_COOKIE, options);
}
