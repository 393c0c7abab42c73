import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Role } from '../../db/schema.ts';
import { paths } from '../../paths.ts';
import { passphraseProblem } from '../../platform/auth/passphrase.ts';
import { formBody, formError, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { NotFoundError, signedIn, type Route, uuidParam } from '../../platform/http/routing.ts';
import { clientInfo, setSessionCookie } from '../../platform/http/sessions.ts';
import { can, ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from '../../platform/permissions.ts';
import type { StaffChangeOutcome } from './staff.service.ts';
import {
  emptySchema,
  inviteSchema,
  newPassphraseSchema,
  roleSchema,
  staffTeamSchema,
} from './staff.schema.ts';
import { teamChoices } from './teams.routes.ts';

const STATUS_LABELS = { active: 'Active', invited: 'Invited', disabled: 'Disabled' } as const;

const roleItems = (selected?: unknown) =>
  ROLES.map((role) => ({
    value: role,
    text: ROLE_LABELS[role],
    hint: { text: ROLE_DESCRIPTIONS[role] },
    checked: role === selected,
  }));

export function staffRoutes(services: Services): Route[] {
  const showInvite = (reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) =>
    reply.code(errors ? 400 : 200).render('staff/invite.njk', {
      pageTitle: 'Invite a member of staff',
      values,
      roles: roleItems(values.role),
      errors,
    });

  const showMember = async (request: FastifyRequest, reply: FastifyReply, errors?: FormErrors) => {
    const { session } = signedIn(request);
    const member = await services.staff.view(session, uuidParam(request, 'userId'));
    if (!member) throw new NotFoundError('staff member');
    const notice = (request.query as { done?: string }).done;
    const [team, teams] = await Promise.all([
      services.teams.teamOf(session, member.userId),
      services.teams.list(session),
    ]);
    return reply.code(errors ? 400 : 200).render('staff/member.njk', {
      pageTitle: 'Staff member',
      member,
      team,
      teamItems: teams.length ? teamChoices(teams, team?.teamId ?? null) : null,
      statusLabel: STATUS_LABELS[member.status],
      canManage: can(session.user.role, 'staff:manage'),
      roles: roleItems(member.role),
      notice,
      errors,
    });
  };

  const afterChange = async (
    request: FastifyRequest,
    reply: FastifyReply,
    outcome: StaffChangeOutcome,
    done: string,
  ) => {
    if (outcome.kind === 'not_found') throw new NotFoundError('staff member');
    if (outcome.kind === 'refused') return showMember(request, reply, formError('role', outcome.reason));
    return reply.redirect(`${paths.staffMember(uuidParam(request, 'userId'))}?done=${done}`, 303);
  };

  return [
    {
      method: 'GET',
      url: paths.staff,
      access: { permission: 'staff:read' },
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const staff = await services.staff.list(session);
        return reply.render('staff/list.njk', {
          pageTitle: 'Staff',
          staff: staff.map((s) => ({ ...s, statusLabel: STATUS_LABELS[s.status] })),
          canManage: can(session.user.role, 'staff:manage'),
        });
      },
    },
    {
      method: 'GET',
      url: paths.inviteStaff,
      access: { permission: 'staff:manage' },
      handler: async (_request, reply) => showInvite(reply, {}),
    },
    {
      method: 'POST',
      url: paths.inviteStaff,
      access: { permission: 'staff:manage' },
      audit: 'staff.invited',
      handler: async (request, reply) => {
        const body = formBody(request.body);
        const parsed = inviteSchema.safeParse(body);
        if (!parsed.success) return showInvite(reply, body, formErrorsFrom(parsed.error));
        const result = await services.staff.invite(signedIn(request).session, {
          ...parsed.data,
          role: parsed.data.role as Role,
        });
        if (result.kind === 'email_taken') {
          return showInvite(
            reply,
            body,
            formError('email', 'Someone in your service already has an account with this email address'),
          );
        }
        return reply.render('staff/invitation.njk', {
          pageTitle: 'Set-up link created',
          invitation: result.invitation,
        });
      },
    },
    {
      method: 'GET',
      url: paths.staffMember(),
      access: { permission: 'staff:read' },
      audit: 'staff.viewed',
      handler: async (request, reply) => showMember(request, reply),
    },
    {
      method: 'POST',
      url: paths.staffRole(),
      access: { permission: 'staff:manage' },
      audit: 'staff.role_changed',
      handler: async (request, reply) => {
        const parsed = roleSchema.safeParse(formBody(request.body));
        if (!parsed.success) return showMember(request, reply, formErrorsFrom(parsed.error));
        const outcome = await services.staff.changeRole(
          signedIn(request).session,
          uuidParam(request, 'userId'),
          parsed.data.role as Role,
        );
        return afterChange(request, reply, outcome, 'role');
      },
    },
    {
      method: 'POST',
      url: paths.staffTeam(),
      access: { permission: 'staff:manage' },
      audit: 'staff.team_changed',
      handler: async (request, reply) => {
        const parsed = staffTeamSchema.safeParse(formBody(request.body));
        if (!parsed.success) return showMember(request, reply, formErrorsFrom(parsed.error));
        const teamId = parsed.data.teamId === 'none' ? null : parsed.data.teamId;
        const outcome = await services.teams.assign(
          signedIn(request).session,
          uuidParam(request, 'userId'),
          teamId,
        );
        if (outcome === 'not_found') throw new NotFoundError('staff member');
        if (outcome === 'no_such_team')
          return showMember(request, reply, formError('teamId', 'Select a team'));
        return reply.redirect(`${paths.staffMember(uuidParam(request, 'userId'))}?done=team`, 303);
      },
    },
    {
      method: 'POST',
      url: paths.staffDisable(),
      access: { permission: 'staff:manage' },
      audit: 'staff.disabled',
      handler: async (request, reply) => {
        emptySchema.parse(formBody(request.body));
        const outcome = await services.staff.disable(signedIn(request).session, uuidParam(request, 'userId'));
        return afterChange(request, reply, outcome, 'disabled');
      },
    },
    {
      method: 'POST',
      url: paths.staffEnable(),
      access: { permission: 'staff:manage' },
      audit: 'staff.enabled',
      handler: async (request, reply) => {
        emptySchema.parse(formBody(request.body));
        const outcome = await services.staff.enable(signedIn(request).session, uuidParam(request, 'userId'));
        return afterChange(request, reply, outcome, 'enabled');
      },
    },
    {
      method: 'POST',
      url: paths.staffReinvite(),
      access: { permission: 'staff:manage' },
      audit: 'staff.sign_in_reset',
      handler: async (request, reply) => {
        emptySchema.parse(formBody(request.body));
        const result = await services.staff.reissueInvitation(
          signedIn(request).session,
          uuidParam(request, 'userId'),
        );
        if ('link' in result)
          return reply.render('staff/invitation.njk', {
            pageTitle: 'Set-up link created',
            invitation: result,
          });
        return afterChange(request, reply, result, 'none');
      },
    },
    {
      method: 'GET',
      url: paths.invitation(),
      access: { public: true },
      handler: async (request, reply) => {
        const invitation = await services.staff.invitationForAcceptance(
          (request.params as { token: string }).token,
        );
        if (!invitation) throw new NotFoundError('invitation');
        return reply.render('staff/accept.njk', { pageTitle: 'Set up your account', invitation });
      },
    },
    {
      method: 'POST',
      url: paths.invitation(),
      access: { public: true },
      audit: 'staff.invitation_accepted',
      handler: async (request, reply) => {
        const token = (request.params as { token: string }).token;
        const invitation = await services.staff.invitationForAcceptance(token);
        if (!invitation) throw new NotFoundError('invitation');
        const show = (errors: FormErrors) =>
          reply
            .code(400)
            .render('staff/accept.njk', { pageTitle: 'Set up your account', invitation, errors });
        const parsed = newPassphraseSchema.safeParse(formBody(request.body));
        if (!parsed.success) return show(formErrorsFrom(parsed.error));
        const problem = passphraseProblem(parsed.data.passphrase, [
          invitation.serviceName,
          invitation.displayName,
          invitation.email,
        ]);
        if (problem) return show(formError('passphrase', problem));
        const sessionToken = await services.staff.acceptInvitation(
          token,
          parsed.data.passphrase,
          clientInfo(request),
        );
        if (!sessionToken) throw new NotFoundError('invitation');
        setSessionCookie(reply, sessionToken);
        return reply.redirect(paths.enrolAuthenticator, 303);
      },
    },
  ];
}
