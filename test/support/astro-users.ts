/**
 * A stand-in `ListUsers` for the stand-in Astro API (lookup by email and by name pages through
 * `GET /organizations/<org>/users?offset=…&limit=…&sorts=id:asc`), and the check that a request
 * went to nothing but the organization's users paths.
 */
import type { ServerResponse } from 'node:http';
import { ORG_ID } from './app.js';
import { json, type RecordedRequest } from './http-stub.js';

/**
 * True when `url` is exactly a ListUsers page of ORG_ID: the path `/organizations/<org>/users`
 * with only `offset`, `limit` and `sorts=id:asc` parameters, as the user index sends them.
 * (One parameter only, so that `urls.filter(isUsersListUrl)` works.)
 */
export function isUsersListUrl(url: string): boolean {
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  if (path !== `/organizations/${ORG_ID}/users`) return false;
  const params = new URLSearchParams(query);
  const keys = [...params.keys()].sort();
  return (
    keys.join(',') === 'limit,offset,sorts' &&
    /^\d+$/.test(params.get('offset') ?? '') &&
    /^\d+$/.test(params.get('limit') ?? '') &&
    params.get('sorts') === 'id:asc'
  );
}

/** True when `url` is GetUser of a well-formed Astro user ID in ORG_ID. */
export function isGetUserUrl(url: string): boolean {
  return new RegExp(`^/organizations/${ORG_ID}/users/c[0-9a-z]{24}$`).test(url);
}

/** True when `url` is one of ORG_ID's users paths (a ListUsers page or GetUser). */
export function isUsersPathUrl(url: string): boolean {
  return isUsersListUrl(url) || isGetUserUrl(url);
}

/**
 * When `req` is a ListUsers page of ORG_ID, answers it from `users` (honouring offset and limit)
 * and returns true; else returns false and leaves `res` alone.
 */
export function answerUsersList(req: RecordedRequest, res: ServerResponse, users: readonly Record<string, unknown>[]): boolean {
  if (!isUsersListUrl(req.url)) return false;
  const params = new URLSearchParams(req.url.split('?', 2)[1]);
  const offset = Number(params.get('offset'));
  const limit = Number(params.get('limit'));
  json(res, 200, { users: users.slice(offset, offset + limit), offset, limit, totalCount: users.length });
  return true;
}
