/**
 * app.json (Heroku's app manifest, https://devcenter.heroku.com/articles/app-json-schema) matches
 * the code: it names every variable the configuration reads, with a description, and marks as
 * required exactly those without which no Heroku set-up starts. Heroku treats a variable without
 * `"required": false` as required, so each says which it is.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET } from './support/app.js';

type AppJson = {
  name: string;
  buildpacks: { url: string }[];
  formation: Record<string, { quantity: number }>;
  addons: ({ plan: string; as?: string } | string)[];
  env: Record<string, { description: string; required?: boolean; value?: string }>;
};

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
const appJson = JSON.parse(read('../app.json')) as AppJson;

/** Set by Heroku itself (PORT) and by the Redis add-on (REDIS_URL), never by the operator. */
const SET_BY_HEROKU = ['PORT', 'REDIS_URL'];
/** What Heroku Redis sets (a TLS URL): https://devcenter.heroku.com/articles/heroku-redis */
const ADDON_REDIS_URL = 'rediss://:password@ec2-0-0-0-0.compute-1.amazonaws.com:6380';

/** The two ways to run on Heroku: one workspace with its tokens, or the install flow for several. */
const SETUPS: Record<string, Record<string, string>> = {
  'one workspace': { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, ASTRO_API_TOKEN: ASTRO_TOKEN, ASTRO_ORGANIZATION_ID: ORG_ID },
  'several workspaces': {
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_CLIENT_ID: '1111.2222',
    SLACK_CLIENT_SECRET: 'abcdef0123456789abcdef0123456789',
    SLACK_STATE_SECRET: 'state-secret-0123456789abcdef',
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  },
};
const onHeroku = (env: Record<string, string>) => ({ PORT: '31234', REDIS_URL: ADDON_REDIS_URL, ...env });
const starts = (env: Record<string, string>) => {
  try {
    loadConfig(onHeroku(env));
    return true;
  } catch {
    return false;
  }
};

/** Every variable loadConfig reads, whether it is set or not, in each set-up and with none. */
function variablesRead(): Set<string> {
  const seen = new Set<string>();
  for (const base of [{}, ...Object.values(SETUPS).map(onHeroku)]) {
    const env = new Proxy(base as NodeJS.ProcessEnv, {
      get(target, key) {
        if (typeof key === 'string') seen.add(key);
        return target[key as string];
      },
    });
    try {
      loadConfig(env);
    } catch {
      /* the empty environment is refused; its reads still count */
    }
  }
  return seen;
}

describe('app.json', () => {
  it('runs the Procfile web process on the Node.js buildpack, with the Redis add-on providing REDIS_URL', () => {
    expect(read('../Procfile')).toMatch(/^web: /m);
    expect(appJson.formation.web?.quantity).toBeGreaterThanOrEqual(1);
    expect(appJson.buildpacks.map((b) => b.url)).toEqual(['heroku/nodejs']);
    const redis = appJson.addons.map((a) => (typeof a === 'string' ? { plan: a } : a)).find((a) => a.plan.split(':')[0] === 'heroku-redis');
    expect(redis, 'the heroku-redis add-on').toBeDefined();
    expect(redis!.as ?? 'REDIS').toBe('REDIS'); // attached as REDIS, it sets REDIS_URL
    // Both set-ups start with the add-on's URL as the store.
    for (const env of Object.values(SETUPS)) expect(loadConfig(onHeroku(env)).store).toEqual({ kind: 'redis', url: ADDON_REDIS_URL });
  });

  it('names every variable the configuration reads (but PORT and REDIS_URL), each described, and no other', () => {
    const read = [...variablesRead()].filter((n) => /^[A-Z][A-Z0-9_]+$/.test(n));
    expect(read.length).toBeGreaterThan(20);
    expect(Object.keys(appJson.env).sort()).toEqual(read.filter((n) => !SET_BY_HEROKU.includes(n)).sort());
    for (const [name, v] of Object.entries(appJson.env)) {
      expect(v.description.length, `${name} has a description`).toBeGreaterThan(20);
      expect(typeof v.required, `${name} says whether it is required`).toBe('boolean');
    }
  });

  it('marks as required exactly what every set-up needs, so that neither set-up is blocked', () => {
    for (const [what, env] of Object.entries(SETUPS)) expect(starts(env), `${what} starts`).toBe(true);
    for (const [name, v] of Object.entries(appJson.env)) {
      const neededEverywhere = Object.values(SETUPS).every((env) => name in env && !starts(Object.fromEntries(Object.entries(env).filter(([k]) => k !== name))));
      expect(v.required, `${name} required`).toBe(neededEverywhere);
    }
  });
});
