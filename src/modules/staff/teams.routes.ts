import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, formError, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { NotFoundError, signedIn, type Route, uuidParam } from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';
import type { Team } from './teams.service.ts';
import { teamSchema } from './staff.schema.ts';

const NAME_TAKEN = 'There is already a team with this name';

const sharesItems = (selected: unknown) => [
  {
    value: 'yes',
    text: 'Yes, members may open each other’s cases',
    hint: { text: 'For example, so they can cover for each other. Each opening is still audited.' },
    checked: selected === 'yes',
  },
  {
    value: 'no',
    text: 'No, each member opens only their own cases',
    hint: { text: 'Anyone else needs to give a reason, which a manager reviews.' },
    checked: selected === 'no',
  },
];

/** Teams: administrators create them and say whether members share cases; staff are put in a team. */
export function teamRoutes(services: Services): Route[] {
  const showTeams = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Record<string, unknown>; errors?: FormErrors } = { values: {} },
  ) => {
    const { session } = signedIn(request);
    const teams = await services.teams.list(session);
    return reply.code(form.errors ? 400 : 200).render('staff/teams.njk', {
      pageTitle: 'Teams',
      teams,
      canManage: can(session.user.role, 'staff:manage'),
      values: form.values,
      sharesItems: sharesItems(form.values.sharesCases),
      errors: form.errors,
      done: (request.query as { done?: string }).done,
    });
  };

  const showTeam = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form?: { values: Record<string, unknown>; errors: FormErrors },
  ) => {
    const { session } = signedIn(request);
    const team = await services.teams.find(session, uuidParam(request, 'teamId'));
    if (!team) throw new NotFoundError('team');
    const values = form?.values ?? { name: team.name, sharesCases: team.sharesCases ? 'yes' : 'no' };
    return reply.code(form ? 400 : 200).render('staff/team.njk', {
      pageTitle: 'Change team',
      team,
      values,
      sharesItems: sharesItems(values.sharesCases),
      errors: form?.errors,
    });
  };

  const teamChange = (data: { name: string; sharesCases: 'yes' | 'no' }) => ({
    name: data.name,
    sharesCases: data.sharesCases === 'yes',
  });

  return [
    {
      method: 'GET',
      url: paths.teams,
      access: { permission: 'staff:read' },
      handler: async (request, reply) => showTeams(request, reply),
    },
    {
      method: 'POST',
      url: paths.teams,
      access: { permission: 'staff:manage' },
      audit: 'team.created',
      handler: async (request, reply) => {
        const body = formBody(request.body);
        const parsed = teamSchema.safeParse(body);
        if (!parsed.success)
          return showTeams(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        const outcome = await services.teams.create(signedIn(request).session, teamChange(parsed.data));
        if (outcome.kind !== 'done')
          return showTeams(request, reply, { values: body, errors: formError('name', NAME_TAKEN) });
        return reply.redirect(`${paths.teams}?done=created`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.team(),
      access: { permission: 'staff:manage' },
      handler: async (request, reply) => showTeam(request, reply),
    },
    {
      method: 'POST',
      url: paths.team(),
      access: { permission: 'staff:manage' },
      audit: 'team.changed',
      handler: async (request, reply) => {
        const body = formBody(request.body);
        const parsed = teamSchema.safeParse(body);
        if (!parsed.success)
          return showTeam(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        const teamId = uuidParam(request, 'teamId');
        const outcome = await services.teams.update(
          signedIn(request).session,
          teamId,
          teamChange(parsed.data),
        );
        if (outcome.kind === 'not_found') throw new NotFoundError('team');
        if (outcome.kind === 'name_taken')
          return showTeam(request, reply, { values: body, errors: formError('name', NAME_TAKEN) });
        return reply.redirect(`${paths.teams}?done=changed`, 303);
      },
    },
  ];
}

export function teamChoices(teams: Team[], currentTeamId: string | null) {
  return [
    ...teams.map((team) => ({ value: team.teamId, text: team.name, checked: team.teamId === currentTeamId })),
    { divider: 'or' },
    { value: 'none', text: 'No team', checked: currentTeamId === null },
  ];
}
