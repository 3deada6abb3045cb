/**
 * Test data: the documented `User` example from Astro's official v1 OpenAPI spec (a verbatim copy
 * lives in test/fixtures/astro-api-v1.openapi.yml), built the way Prism's static mode builds it,
 * and a few hand-made users.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

/** Path of the official Astro API v1 spec copy. */
export const ASTRO_SPEC_PATH = fileURLToPath(new URL('../fixtures/astro-api-v1.openapi.yml', import.meta.url));

type Schema = { $ref?: string; type?: string; example?: unknown; properties?: Record<string, Schema>; items?: Schema; required?: string[] };
let spec: { components: { schemas: Record<string, Schema> } } | undefined;

function resolve(s: Schema): Schema {
  if (!s.$ref) return s;
  spec ??= yaml.load(readFileSync(ASTRO_SPEC_PATH, 'utf8')) as typeof spec;
  const name = s.$ref.split('/').pop() ?? '';
  return spec!.components.schemas[name]!;
}

/** The example a schema documents: property examples, arrays of one example item. */
export function specExample(schemaName: string): Record<string, unknown> {
  const build = (schema: Schema): unknown => {
    const s = resolve(schema);
    if (s.example !== undefined) return s.example;
    if (s.type === 'array' && s.items) return [build(s.items)];
    if (s.properties) return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, build(v)]));
    return undefined;
  };
  return build({ $ref: `#/components/schemas/${schemaName}` }) as Record<string, unknown>;
}

/** A user with roles in every scope (invented values, shaped like the spec). */
export const ADA = {
  id: 'clx1user0000001abcdefghij',
  username: 'ada.lovelace@example.com',
  fullName: 'Ada Lovelace',
  avatarUrl: 'https://avatars.example.com/ada.png',
  status: 'ACTIVE',
  createdAt: '2024-03-02T10:15:00Z',
  updatedAt: '2026-05-20T08:01:44Z',
  organizationRole: 'ORGANIZATION_MEMBER',
  workspaceRoles: [
    { workspaceId: 'clx1ws00000001abcdefghijk', role: 'WORKSPACE_AUTHOR' },
    { workspaceId: 'clx1ws00000002abcdefghijk', role: 'WORKSPACE_ACCESSOR' },
  ],
  deploymentRoles: [
    { deploymentId: 'clx1dep0000001abcdefghijk', role: 'DEPLOYMENT_ADMIN' },
    { deploymentId: 'clx1dep0000002abcdefghijk', role: 'my custom role' },
  ],
  dagRoles: [
    { deploymentId: 'clx1dep0000002abcdefghijk', dagTag: 'team:analytics', role: 'DAG_VIEWER' },
    { deploymentId: 'clx1dep0000002abcdefghijk', dagId: 'daily_revenue', role: 'DAG_AUTHOR' },
  ],
};

/** A user with `n` roles in each of workspace, deployment and DAG scope. */
export function userWithRoles(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = (prefix: string, i: number) => `c${prefix}${String(i).padStart(24 - prefix.length, '0')}`;
  return {
    ...ADA,
    workspaceRoles: Array.from({ length: n }, (_, i) => ({ workspaceId: id('ws', i), role: i % 2 ? 'WORKSPACE_OPERATOR' : 'WORKSPACE_MEMBER' })),
    deploymentRoles: Array.from({ length: n }, (_, i) => ({ deploymentId: id('dep', i), role: i % 3 ? 'DEPLOYMENT_ADMIN' : 'Custom <Role> & "friends" 🚀' })),
    dagRoles: Array.from({ length: n }, (_, i) => ({ deploymentId: id('dep', i), role: 'DAG_VIEWER', ...(i % 2 ? { dagId: `dag_${i}` } : { dagTag: `tag-${i}` }) })),
    ...overrides,
  };
}
