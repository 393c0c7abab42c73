import { BadRequestError } from '../../platform/http/forms.ts';
import { ForbiddenError, NotFoundError } from '../../platform/http/routing.ts';
import type { InScope } from './case-scope.ts';
import type { Recorded } from './casework.service.ts';

/** The value of a case operation in scope, or the error page the caller may not or cannot see. */
export function inScope<T>(result: InScope<T>): T {
  if (result.kind === 'not_found') throw new NotFoundError('case');
  if (result.kind === 'not_on_caseload') throw new ForbiddenError('case is not on the caseload');
  return result.value;
}

/** The id a create form's record was given; an id already used on another case means the form was altered. */
export function recorded(result: Recorded): string {
  if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
  return result.id;
}
