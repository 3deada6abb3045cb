/**
 * Test data: the documented `User` example from Astro's official v1 OpenAPI spec (a verbatim copy
 * lives in test/fixtures/astro-api-v1.openapi.yml), built the way Prism's static mode builds it,
 * and a few hand-made users.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import ada from '../fixtures/ada.json' with { type: 'json' };

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

/**
 * A user with roles in every scope (invented values, shaped like the spec). The JSON file is the
 * one source of this user: the benchmark's stand-in Astro (bench/lib/standins.mjs) serves it too.
 */
export const ADA = ada;

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
