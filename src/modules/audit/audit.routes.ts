import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formErrorsFrom } from '../../platform/http/forms.ts';
import { signedIn, type Route } from '../../platform/http/routing.ts';
import { AUDIT_PAGE_LIMIT } from './audit.service.ts';

/** A real calendar date as YYYY-MM-DD (JavaScript would otherwise roll 31 February into March). */
export function isRealIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const isoDate = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => value || undefined)
    .refine((value) => value === undefined || isRealIsoDate(value), {
      message: `${label} must be a real date, like 2026-11-23`,
    });

const filterSchema = z.strictObject({
  user: z.union([z.literal(''), z.uuid('Select a member of staff from the list')]).optional(),
  record: z.string().trim().max(100, 'Record must be 100 characters or fewer').optional(),
  from: isoDate('From'),
  to: isoDate('To'),
});

export function auditRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      url: paths.audit,
      access: { permission: 'audit:read' },
      audit: 'audit.searched',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const query = request.query as Record<string, string>;
        const parsed = filterSchema.safeParse(query);
        const staff = await services.staff.list(session);
        const staffItems = [
          { value: '', text: 'Anyone' },
          ...staff.map((s) => ({
            value: s.user_id,
            text: s.display_name,
            selected: s.user_id === query.user,
          })),
        ];
        if (!parsed.success) {
          return reply.code(400).render('audit/audit.njk', {
            pageTitle: 'Audit trail',
            values: query,
            staffItems,
            errors: formErrorsFrom(parsed.error),
            events: [],
          });
        }
        const { user, record, from, to } = parsed.data;
        const result = await services.audit.search(session, {
          userId: user || undefined,
          recordId: record || undefined,
          from: from ? new Date(`${from}T00:00:00Z`) : undefined,
          to: to ? new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
        });
        return reply.render('audit/audit.njk', {
          pageTitle: 'Audit trail',
          values: query,
          staffItems,
          ...result,
          limit: AUDIT_PAGE_LIMIT,
        });
      },
    },
  ];
}
