/**
 * loadConfig(env): defaults, one named problem per bad variable (with a fix hint), store
 * selection, Socket Mode, loopback http, URL normalisation, and no secret value in any message.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, secretsOf, type Config } from '../src/config.js';

const BOT_TOKEN = 'xoxb-1111-2222-configTestBotToken';
const SIGNING_SECRET = 'configtestsigningsecret0123456789';
const ASTRO_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjb25maWctdGVzdCJ9.configTestSignature';
const ORG_ID = 'clorg000000000000000000001';

/** The smallest valid environment: the three required variables plus a signing secret. */
const MINIMAL = {
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  ASTRO_API_TOKEN: ASTRO_TOKEN,
  ASTRO_ORGANIZATION_ID: ORG_ID,
} as const;

function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...MINIMAL };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The ConfigError loadConfig throws for `e`; fails the test when it returns a config instead. */
function problemsOf(e: NodeJS.ProcessEnv): { problems: string[]; message: string } {
  let config: Config | undefined;
  try {
    config = loadConfig(e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    return { problems: ce.problems, message: ce.message };
  }
  throw new Error(`expected a ConfigError, got a config: ${JSON.stringify(config)}`);
}

describe('loadConfig: valid environments', () => {
  it('fills every default from a minimal environment', () => {
    const config = loadConfig(env());
    expect(config).toMatchObject({
      port: 3000,
      astro: { apiUrl: 'https://api.astronomer.io/v1', apiToken: ASTRO_TOKEN, organizationId: ORG_ID },
      store: { kind: 'sqlite', path: 'data/astro-user.sqlite' },
      cacheTtlSeconds: 300,
      logLevel: 'info',
    });
    expect(config.slack).toEqual({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
  });

  it('treats blank optional variables as unset (an .env copied from the example)', () => {
    const config = loadConfig(env({ PORT: '', CACHE_TTL_SECONDS: '  ', CACHE_HOT_SECONDS: '', LOG_LEVEL: '', ASTRO_API_URL: '', STORE_URL: '', SLACK_APP_TOKEN: '' }));
    expect(config.port).toBe(3000);
    expect(config.cacheTtlSeconds).toBe(300);
    expect(config.cacheHotSeconds).toBe(15);
    expect(config.logLevel).toBe('info');
    expect(config.astro.apiUrl).toBe('https://api.astronomer.io/v1');
    expect(config.store).toEqual({ kind: 'sqlite', path: 'data/astro-user.sqlite' });
    expect(config.slack.appToken).toBeUndefined();
  });

  it('reads explicit values: port 0, TTL, log level in any case', () => {
    const config = loadConfig(env({ PORT: '0', CACHE_TTL_SECONDS: '86400', CACHE_HOT_SECONDS: '0', LOG_LEVEL: ' DEBUG ' }));
    expect(config.port).toBe(0);
    expect(config.cacheTtlSeconds).toBe(86_400);
    expect(config.cacheHotSeconds).toBe(0);
    expect(config.logLevel).toBe('debug');
  });

  it('uses REDIS_URL when STORE_URL is unset', () => {
    expect(loadConfig(env({ REDIS_URL: 'redis://cache.internal:6379' })).store).toEqual({ kind: 'redis', url: 'redis://cache.internal:6379' });
    expect(loadConfig(env({ STORE_URL: '', REDIS_URL: 'rediss://cache.internal:6380' })).store).toEqual({
      kind: 'redis',
      url: 'rediss://cache.internal:6380',
    });
  });

  it('prefers STORE_URL when both STORE_URL and REDIS_URL are set', () => {
    expect(loadConfig(env({ STORE_URL: 'memory:', REDIS_URL: 'redis://cache.internal:6379' })).store).toEqual({ kind: 'memory' });
    expect(loadConfig(env({ STORE_URL: 'sqlite:///var/lib/astro-user/c.sqlite', REDIS_URL: 'redis://x:6379' })).store).toEqual({
      kind: 'sqlite',
      path: '/var/lib/astro-user/c.sqlite',
    });
  });

  it('accepts memory: and memory:// as the in-process store', () => {
    expect(loadConfig(env({ STORE_URL: 'memory:' })).store).toEqual({ kind: 'memory' });
    expect(loadConfig(env({ STORE_URL: 'memory://' })).store).toEqual({ kind: 'memory' });
  });

  it('refuses a bare file path, naming the accepted forms', () => {
    expect(() => loadConfig(env({ STORE_URL: 'data/cache.sqlite' }))).toThrow(/STORE_URL must be memory:, sqlite:\/\/<file> or redis:\/\/<host>:<port>/);
  });

  it('accepts SLACK_APP_TOKEN without a signing secret (Socket Mode)', () => {
    const config = loadConfig(env({ SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1-A0001-1234-abcdef' }));
    expect(config.slack.appToken).toBe('xapp-1-A0001-1234-abcdef');
    expect(config.slack.signingSecret).toBeUndefined();
  });

  it('accepts plain http for the Astro API only on loopback hosts', () => {
    expect(loadConfig(env({ ASTRO_API_URL: 'http://127.0.0.1:4010' })).astro.apiUrl).toBe('http://127.0.0.1:4010');
    expect(loadConfig(env({ ASTRO_API_URL: 'http://localhost:4010/v1' })).astro.apiUrl).toBe('http://localhost:4010/v1');
    expect(loadConfig(env({ ASTRO_API_URL: 'http://[::1]:4010' })).astro.apiUrl).toBe('http://[::1]:4010');
  });

  it('normalises trailing slashes: none on the Astro base, exactly one on the Slack API base', () => {
    expect(loadConfig(env({ ASTRO_API_URL: 'https://api.astronomer.io/v1///' })).astro.apiUrl).toBe('https://api.astronomer.io/v1');
    expect(loadConfig(env({ SLACK_API_URL: 'https://slack-gov.com/api' })).slack.apiUrl).toBe('https://slack-gov.com/api/');
    expect(loadConfig(env({ SLACK_API_URL: 'https://slack-gov.com/api/' })).slack.apiUrl).toBe('https://slack-gov.com/api/');
  });

  it('secretsOf lists every secret so the log scrubber can hide them', () => {
    const config = loadConfig(env({ SLACK_APP_TOKEN: 'xapp-1-A0001-1234-abcdef' }));
    expect(secretsOf(config).sort()).toEqual([ASTRO_TOKEN, BOT_TOKEN, SIGNING_SECRET, 'xapp-1-A0001-1234-abcdef'].sort());
  });
});

describe('loadConfig: refused environments', () => {
  const REQUIRED: [name: string, hint: RegExp][] = [
    ['SLACK_BOT_TOKEN', /OAuth & Permissions/],
    ['ASTRO_API_TOKEN', /API Tokens/],
    ['ASTRO_ORGANIZATION_ID', /Organization ID/],
  ];

  it.each(REQUIRED)('names a missing %s with a hint on where to find it', (name, hint) => {
    const { problems, message } = problemsOf(env({ [name]: undefined }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} is missing: `));
    expect(problems[0]).toMatch(hint);
    expect(message).toContain(problems[0]);
  });

  // Regression: a required variable present but blank (`SLACK_BOT_TOKEN=` straight from an .env example,
  // which dotenv turns into '') is reported as a bare "SLACK_BOT_TOKEN is missing." without the fix
  // hint an absent variable gets: loadConfig replaces the regex message with 'is missing' because
  // the value is blank, but the hint lives only in the type error of z.string({ error }).
  it.each(REQUIRED)('gives the same hint when %s is present but blank', (name, hint) => {
    const { problems } = problemsOf(env({ [name]: '' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} is missing: `));
    expect(problems[0]).toMatch(hint);
  });

  it('names every missing required variable at once, and the missing signing secret', () => {
    const { problems } = problemsOf({});
    const named = problems.map((p) => p.split(' ')[0]);
    expect(named).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'ASTRO_API_TOKEN', 'SLACK_SIGNING_SECRET']));
  });

  it('refuses neither a signing secret nor an app token, and says how to fix it', () => {
    const { problems } = problemsOf(env({ SLACK_SIGNING_SECRET: undefined }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SLACK_SIGNING_SECRET is missing: /);
    expect(problems[0]).toContain('SLACK_APP_TOKEN');
  });

  const MALFORMED: [name: string, value: string, says: RegExp][] = [
    ['SLACK_BOT_TOKEN', 'xoxp-1111-2222-userToken', /xoxb-/],
    ['SLACK_SIGNING_SECRET', 'short', /Signing Secret/],
    ['SLACK_APP_TOKEN', 'xoxb-1111-not-an-app-token', /xapp-/],
    ['PORT', 'abc', /whole number from 0 to 65535/],
    ['PORT', '70000', /whole number from 0 to 65535/],
    ['PORT', '-1', /whole number from 0 to 65535/],
    ['PORT', '80.5', /whole number from 0 to 65535/],
    ['ASTRO_API_URL', 'http://evil.example.com', /https/],
    ['ASTRO_API_URL', 'ftp://x', /https/],
    ['ASTRO_API_URL', 'not a url', /https/],
    ['ASTRO_API_URL', 'https://user:pw@api.astronomer.io/v1', /https/],
    ['SLACK_API_URL', 'http://slack.example.com/api/', /https/],
    ['ASTRO_API_TOKEN', 'has spaces in it and is long enough', /Astro API token/],
    ['ASTRO_ORGANIZATION_ID', 'org/../../x', /Organization ID/],
    ['CACHE_TTL_SECONDS', '0', /1 to 86400/],
    ['CACHE_TTL_SECONDS', '86401', /1 to 86400/],
    ['CACHE_TTL_SECONDS', 'five minutes', /1 to 86400/],
    ['CACHE_HOT_SECONDS', '-1', /0 \(off\) to 300/],
    ['CACHE_HOT_SECONDS', '301', /0 \(off\) to 300/],
    ['CACHE_HOT_SECONDS', '1.5', /0 \(off\) to 300/],
    ['STORE_URL', 'mongodb://x', /memory:, sqlite:\/\/<file> or redis:\/\//],
    ['STORE_URL', 'sqlite://', /file path/],
    ['REDIS_URL', 'mongodb://x', /memory:, sqlite:\/\/<file> or redis:\/\//],
    ['LOG_LEVEL', 'loud', /one of trace, debug, info, warn, error, fatal, silent/],
  ];

  it.each(MALFORMED)('refuses %s=%s, naming the variable and what is expected', (name, value, says) => {
    const { problems } = problemsOf(env({ [name]: value }));
    const mine = problems.filter((p) => p.startsWith(`${name} `));
    expect(mine).toHaveLength(1);
    expect(mine[0]).not.toMatch(/is missing/);
    expect(mine[0]).toMatch(says);
  });

  it('reports a schema problem and a store problem together, so one fix-and-retry is enough', () => {
    const { problems } = problemsOf(env({ PORT: 'abc', STORE_URL: 'mongodb://x', SLACK_SIGNING_SECRET: undefined }));
    const named = problems.map((p) => p.split(' ')[0]).sort();
    expect(named).toEqual(['PORT', 'SLACK_SIGNING_SECRET', 'STORE_URL']);
  });

  it('never puts a secret value into a problem or the error message', () => {
    // Distinctive, malformed values: each would be easy to spot if echoed back.
    const leaky = {
      SLACK_BOT_TOKEN: 'xoxp-LEAK0BOT-9876543210',
      SLACK_SIGNING_SECRET: 'LEAK1SIGN!not+alnum',
      SLACK_APP_TOKEN: 'xapp_LEAK2APP_bad',
      ASTRO_API_TOKEN: 'LEAK3ASTRO token with spaces in it',
      ASTRO_ORGANIZATION_ID: 'LEAK4ORG/with/slashes',
      ASTRO_API_URL: 'https://user:LEAK5URLPW@api.example.com/v1',
      SLACK_API_URL: 'https://user:LEAK6SLACKPW@slack.example.com/api/',
      STORE_URL: 'mongodb://user:LEAK7STORE@db.example.com',
      PORT: 'LEAK8PORT',
      CACHE_TTL_SECONDS: 'LEAK9TTL',
      LOG_LEVEL: 'LEAK10LEVEL',
    };
    const { problems, message } = problemsOf(leaky);
    expect(problems.length).toBeGreaterThanOrEqual(Object.keys(leaky).length);
    expect(JSON.stringify(problems)).not.toMatch(/LEAK/);
    expect(message).not.toMatch(/LEAK/);

    // A bad REDIS_URL carrying a password, on its own.
    const redis = problemsOf(env({ REDIS_URL: 'redis://:LEAK11REDIS@[not-a-host' }));
    expect(redis.problems.some((p) => p.startsWith('REDIS_URL '))).toBe(true);
    expect(redis.message).not.toMatch(/LEAK/);

    // Valid secrets next to a malformed variable are not echoed either.
    const valid = problemsOf(env({ PORT: 'abc' }));
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, ASTRO_TOKEN]) expect(valid.message).not.toContain(secret);
  });
});

describe('loadConfig: Redis over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'au-cfg-tls-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const notPem = join(dir, 'notes.txt');
  writeFileSync(notPem, 'hello');

  it('reads the CA file and the explicit opt-out for rediss:// stores', () => {
    const store = loadConfig(env({ STORE_URL: 'rediss://cache.example.com:6380', REDIS_TLS_CA_FILE: ca })).store;
    expect(store).toEqual({ kind: 'redis', url: 'rediss://cache.example.com:6380', tls: { ca: readFileSync(ca, 'utf8') } });
    const insecure = loadConfig(env({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_REJECT_UNAUTHORIZED: 'FALSE' })).store;
    expect(insecure).toEqual({ kind: 'redis', url: 'rediss://h:6380', tls: { rejectUnauthorized: false } });
    expect(loadConfig(env({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_REJECT_UNAUTHORIZED: 'true' })).store).toEqual({ kind: 'redis', url: 'rediss://h:6380' });
  });

  it('names each bad TLS setting in one line', () => {
    expect(problemsOf(env({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_REJECT_UNAUTHORIZED: 'no' })).problems).toEqual([
      'REDIS_TLS_REJECT_UNAUTHORIZED must be true (the default: verify the certificate) or false (do not verify it; see README, Operations).',
    ]);
    expect(problemsOf(env({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_CA_FILE: join(dir, 'missing.pem') })).problems).toEqual([
      'REDIS_TLS_CA_FILE cannot be read (ENOENT): give the path of the CA certificate file your Redis provider gives you.',
    ]);
    expect(problemsOf(env({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_CA_FILE: notPem })).problems).toEqual([
      'REDIS_TLS_CA_FILE must be a PEM file holding the CA certificate (-----BEGIN CERTIFICATE-----).',
    ]);
    expect(problemsOf(env({ REDIS_URL: 'redis://h:6379', REDIS_TLS_CA_FILE: ca, REDIS_TLS_REJECT_UNAUTHORIZED: 'false' })).problems).toEqual([
      'REDIS_TLS_CA_FILE is set but the store is not a rediss:// URL: use rediss:// (STORE_URL or REDIS_URL) or unset it.',
      'REDIS_TLS_REJECT_UNAUTHORIZED is set but the store is not a rediss:// URL: use rediss:// (STORE_URL or REDIS_URL) or unset it.',
    ]);
  });
});
