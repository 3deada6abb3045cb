/**
 * Configuration: read once from the environment, validated with zod, then passed in.
 *
 * Nothing else in the app reads `process.env`. `loadConfig(env)` takes the environment as a
 * parameter so that tests build the app with their own configuration.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readTokenClaims } from './astro/token.js';
import { parseKey } from './store/secret-box.js';

/** pino's level names, from least to most severe, plus `silent`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Where keyv keeps its data, as chosen by `STORE_URL` (or `REDIS_URL`). */
export type StoreLocation =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'redis'; url: string; tls?: RedisTls };

/** TLS settings of a `rediss://` store (REDIS_TLS_CA_FILE, REDIS_TLS_REJECT_UNAUTHORIZED). */
export interface RedisTls {
  /** PEM text of the CA certificate(s) that signed the server's certificate, trusted besides Node's public CAs. */
  ca?: string;
  /** false only on the operator's explicit opt-in: the server's certificate is then not verified. */
  rejectUnauthorized?: boolean;
}

/** Astro API settings used when a Slack installation has none of its own. */
export interface AstroDefaults {
  /** API base without a trailing slash, e.g. `https://api.astronomer.io/v1`. */
  apiUrl: string;
  /** Organization API token (a JWT). Secret: never log or display it. */
  apiToken: string;
  /** Astro organization ID the token belongs to. */
  organizationId: string;
}

/** The `ASTRO_*` variables: the API base always; a token and organization when set. */
export interface AstroEnv {
  /** API base without a trailing slash, e.g. `https://api.astronomer.io/v1`. Every token goes here only. */
  apiUrl: string;
  /** Organization API token (a JWT). Secret. */
  apiToken?: string;
  /** Organization of that token (from ASTRO_ORGANIZATION_ID, or read from the token's claims). */
  organizationId?: string;
}

/** Slack's OAuth install flow (multi-workspace mode). Secrets. */
export interface SlackOAuth {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
}

/** The validated configuration of one astro-user process. */
export interface Config {
  /** `single`: one workspace, SLACK_BOT_TOKEN; `multi`: Slack's OAuth install flow, installations stored. */
  mode: 'single' | 'multi';
  slack: {
    /** Bot User OAuth Token, `xoxb-…` (single-workspace mode). Secret. */
    botToken?: string;
    /** OAuth credentials (multi-workspace mode). */
    oauth?: SlackOAuth;
    /** Signing Secret from the app's Basic Information page. Secret. Absent in Socket Mode. */
    signingSecret?: string;
    /** App-level token `xapp-…`: when set, the app runs in Socket Mode (local development). Secret. */
    appToken?: string;
    /** Web API base ending in `/` (GovSlack, tests), passed to Bolt's `clientOptions.slackApiUrl`. */
    apiUrl?: string;
  };
  /** TCP port of the HTTP receiver (and of `/healthz` in Socket Mode); 0 picks a free port. */
  port: number;
  astro: AstroEnv;
  /** Team or enterprise IDs that may install and use the app (multi-workspace mode); all when undefined. */
  allowedTeamIds?: ReadonlySet<string>;
  /** Teams that may use the `ASTRO_*` defaults in multi-workspace mode (single mode: every team). */
  astroEnvTeamIds: ReadonlySet<string>;
  /** Slack user IDs treated as admins, besides workspace admins and owners. */
  adminUserIds: ReadonlySet<string>;
  /** 32-byte keys sealing tokens at rest: `key` encrypts, `previous` still decrypts (rotation). */
  encryption?: { key: Buffer; previous?: Buffer };
  /** Astro UI base without a trailing slash (Open in Astro links), e.g. `https://cloud.astronomer.io`. */
  astroUiUrl: string;
  store: StoreLocation;
  /** How long a looked-up user stays cached, in seconds. */
  cacheTtlSeconds: number;
  /**
   * How long a found user is also kept in this process, ready to show, in seconds (0: off); never
   * longer than `cacheTtlSeconds`.
   */
  cacheHotSeconds: number;
  /** Client-side budget of Astro API requests per second per token, in this process (Astro allows 25 GET/s per token). */
  astroRequestsPerSecond: number;
  /** Abuse limits: lookups per Slack user, and per Slack workspace, per minute. */
  limits: { perUserPerMinute: number; perWorkspacePerMinute: number };
  /** Bearer token that `GET /metrics` requires; metrics are off without it. Secret. */
  metricsToken?: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

/** Thrown by {@link loadConfig}; `problems` holds one line per bad variable, never a secret value. */
export class ConfigError extends Error {
  /** One human-readable line per problem, each naming the variable and how to fix it. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A trimmed, lower-cased string, or undefined when blank (env values such as `TRUE` or ` info`). */
const lowerOrUndefined = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v);

/** Hosts on which plain `http:` is accepted (stand-in servers in tests and local development). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when `url` parses and is https, or http on a loopback host. */
function isSafeHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.username || u.password || u.search || u.hash || url.includes('?') || url.includes('#')) return false;
    return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname));
  } catch {
    return false;
  }
}

/** A comma-separated list of IDs (optional); each must match `re`. */
function idList(what: string, re: RegExp) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean))
      .refine((ids) => ids.every((id) => re.test(id)), `must be a comma-separated list of ${what}`)
      .optional(),
  );
}

const EnvSchema = z.object({
  SLACK_BOT_TOKEN: z.preprocess(blankToUndefined, z
    .string()
    .trim()
    .regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a Bot User OAuth Token starting with xoxb- (OAuth & Permissions page)')
    .optional()),
  SLACK_CLIENT_ID: z.preprocess(blankToUndefined, z.string().trim().regex(/^\d+\.\d+$/, 'must be the Client ID from Basic Information (digits, a dot, digits)').optional()),
  SLACK_CLIENT_SECRET: z.preprocess(blankToUndefined, z.string().trim().regex(/^[A-Za-z0-9]{16,128}$/, 'must be the Client Secret from Basic Information').optional()),
  SLACK_STATE_SECRET: z.preprocess(blankToUndefined, z.string().trim().min(16, 'must be at least 16 random characters (openssl rand -hex 24)').max(256).optional()),
  ALLOWED_TEAM_IDS: idList('team or enterprise IDs such as T0123ABCD,E0456EFGH', /^[TE][A-Z0-9]{2,30}$/),
  ASTRO_ENV_TEAM_IDS: idList('team or enterprise IDs such as T0123ABCD', /^[TE][A-Z0-9]{2,30}$/),
  ADMIN_USER_IDS: idList('Slack user IDs such as U0123ABCD', /^[UW][A-Z0-9]{2,30}$/),
  ENCRYPTION_KEY: z.preprocess(blankToUndefined, z.string().optional()),
  ENCRYPTION_KEY_PREVIOUS: z.preprocess(blankToUndefined, z.string().optional()),
  SLACK_SIGNING_SECRET: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{20,128}$/, "must be the app's Signing Secret from Basic Information (20 to 128 letters and digits)")
      .optional(),
  ),
  SLACK_APP_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^xapp-[A-Za-z0-9-]+$/, 'must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)')
      .optional(),
  ),
  SLACK_API_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine(isSafeHttpUrl, 'must be an https URL such as https://slack-gov.com/api/ (http only on localhost)')
      .transform((u) => (u.endsWith('/') ? u : `${u}/`))
      .refine((u) => new URL(u).pathname.endsWith('/api/'), "must end in /api/, like Slack's https://slack.com/api/")
      .optional(),
  ),
  PORT: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number from 0 to 65535' })
      .int('must be a whole number from 0 to 65535')
      .min(0, 'must be a whole number from 0 to 65535')
      .max(65535, 'must be a whole number from 0 to 65535')
      .default(3000),
  ),
  ASTRO_API_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine(isSafeHttpUrl, 'must be an https URL such as https://api.astronomer.io/v1 (http only on localhost)')
      .transform((u) => u.replace(/\/+$/, ''))
      .default('https://api.astronomer.io/v1'),
  ),
  ASTRO_UI_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine(isSafeHttpUrl, 'must be an https URL such as https://cloud.astronomer.io')
      .transform((u) => u.replace(/\/+$/, ''))
      .default('https://cloud.astronomer.io'),
  ),
  ASTRO_API_TOKEN: z.preprocess(blankToUndefined, z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._~+/=-]{20,8192}$/, 'does not look like an Astro API token (a long JWT with no spaces); copy it again from Astro')
    .optional()),
  ASTRO_ORGANIZATION_ID: z.preprocess(blankToUndefined, z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an Astro Organization ID such as clmh57jtm000008lb58fe2wmv (letters and digits)')
    .optional()),
  CACHE_TTL_SECONDS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of seconds from 1 to 86400' })
      .int('must be a whole number of seconds from 1 to 86400')
      .min(1, 'must be a whole number of seconds from 1 to 86400')
      .max(86_400, 'must be a whole number of seconds from 1 to 86400')
      .default(300),
  ),
  CACHE_HOT_SECONDS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of seconds from 0 (off) to 300' })
      .int('must be a whole number of seconds from 0 (off) to 300')
      .min(0, 'must be a whole number of seconds from 0 (off) to 300')
      .max(300, 'must be a whole number of seconds from 0 (off) to 300')
      .default(15),
  ),
  ASTRO_REQUESTS_PER_SECOND: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of requests per second from 1 to 25' })
      .int('must be a whole number of requests per second from 1 to 25')
      .min(1, 'must be a whole number of requests per second from 1 to 25')
      .max(25, 'must be a whole number of requests per second from 1 to 25')
      .default(20),
  ),
  LOOKUPS_PER_USER_PER_MINUTE: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of lookups from 1 to 10000' })
      .int('must be a whole number of lookups from 1 to 10000')
      .min(1, 'must be a whole number of lookups from 1 to 10000')
      .max(10000, 'must be a whole number of lookups from 1 to 10000')
      .default(30),
  ),
  LOOKUPS_PER_WORKSPACE_PER_MINUTE: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of lookups from 1 to 100000' })
      .int('must be a whole number of lookups from 1 to 100000')
      .min(1, 'must be a whole number of lookups from 1 to 100000')
      .max(100000, 'must be a whole number of lookups from 1 to 100000')
      .default(300),
  ),
  METRICS_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, 'must be at least 16 characters with no spaces (e.g. openssl rand -hex 24)')
      .optional(),
  ),
  REDIS_TLS_CA_FILE: z.preprocess(blankToUndefined, z.string().trim().optional()),
  REDIS_TLS_REJECT_UNAUTHORIZED: z.preprocess(
    lowerOrUndefined,
    z.enum(['true', 'false'], { error: 'must be true (the default: verify the certificate) or false (do not verify it; see README, Operations)' }).optional(),
  ),
  LOG_LEVEL: z.preprocess(
    lowerOrUndefined,
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
});

/**
 * Parses `STORE_URL` (or, when unset, `REDIS_URL`) into a {@link StoreLocation}.
 * `memory:` keeps everything in the process; `sqlite://path` uses an SQLite file;
 * `redis://` / `rediss://` uses Redis. Default: `sqlite://data/astro-user.sqlite`.
 *
 * @throws {Error} with a message for the operator when the URL has another scheme.
 */
export function parseStoreUrl(storeUrl: string | undefined, redisUrl?: string): StoreLocation {
  const raw = storeUrl ?? redisUrl ?? 'sqlite://data/astro-user.sqlite';
  if (raw === 'memory:' || raw === 'memory://') return { kind: 'memory' };
  if (/^rediss?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new Error('is not a valid redis:// URL');
    }
    return { kind: 'redis', url: raw };
  }
  if (raw.startsWith('sqlite://')) {
    const path = raw.slice('sqlite://'.length);
    if (!path) throw new Error('needs a file path, e.g. sqlite://data/astro-user.sqlite');
    return { kind: 'sqlite', path };
  }
  throw new Error('must be memory:, sqlite://<file> or redis://<host>:<port>');
}

/**
 * Reads and validates the configuration from `env`.
 *
 * @param env the environment, `process.env` by default (after dotenv has loaded `.env`).
 * @returns the validated {@link Config}.
 * @throws {ConfigError} naming every missing or malformed variable and how to fix it. The
 *   message never contains a variable's value, so it is safe to print even for secrets.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      const absent = (env[name] ?? '').trim() === '';
      const message = absent && !issue.message.startsWith('is missing') ? 'is missing' : issue.message;
      problems.push(`${name} ${message}.`);
    }
  }
  if (!env.SLACK_APP_TOKEN?.trim() && !env.SLACK_SIGNING_SECRET?.trim()) {
    problems.push(
      "SLACK_SIGNING_SECRET is missing: set it to the Signing Secret from the app's Basic Information page (or set SLACK_APP_TOKEN to run in Socket Mode).",
    );
  }
  const storeUrl = env.STORE_URL?.trim() || undefined;
  let store: StoreLocation = { kind: 'memory' };
  try {
    store = parseStoreUrl(storeUrl, env.REDIS_URL?.trim() || undefined);
  } catch (err) {
    problems.push(`${storeUrl ? 'STORE_URL' : 'REDIS_URL'} ${(err as Error).message}.`);
  }
  if (!parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  if (e.REDIS_TLS_CA_FILE || e.REDIS_TLS_REJECT_UNAUTHORIZED) {
    const tlsUrl = store.kind === 'redis' && store.url.startsWith('rediss://');
    const tls: RedisTls = {};
    if (e.REDIS_TLS_CA_FILE) {
      if (!tlsUrl) problems.push('REDIS_TLS_CA_FILE is set but the store is not a rediss:// URL: use rediss:// (STORE_URL or REDIS_URL) or unset it.');
      else {
        try {
          const pem = readFileSync(e.REDIS_TLS_CA_FILE, 'utf8');
          if (!/-----BEGIN CERTIFICATE-----/.test(pem)) problems.push('REDIS_TLS_CA_FILE must be a PEM file holding the CA certificate (-----BEGIN CERTIFICATE-----).');
          else tls.ca = pem;
        } catch (err) {
          problems.push(`REDIS_TLS_CA_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): give the path of the CA certificate file your Redis provider gives you.`);
        }
      }
    }
    if (e.REDIS_TLS_REJECT_UNAUTHORIZED === 'false') {
      if (!tlsUrl) problems.push('REDIS_TLS_REJECT_UNAUTHORIZED is set but the store is not a rediss:// URL: use rediss:// (STORE_URL or REDIS_URL) or unset it.');
      else tls.rejectUnauthorized = false;
    }
    if (store.kind === 'redis' && Object.keys(tls).length > 0) store = { ...store, tls };
  }

  const oauthVars = [e.SLACK_CLIENT_ID, e.SLACK_CLIENT_SECRET, e.SLACK_STATE_SECRET];
  const mode = oauthVars.some(Boolean) ? 'multi' : 'single';
  if (mode === 'multi') {
    for (const [name, value] of [['SLACK_CLIENT_ID', e.SLACK_CLIENT_ID], ['SLACK_CLIENT_SECRET', e.SLACK_CLIENT_SECRET], ['SLACK_STATE_SECRET', e.SLACK_STATE_SECRET]] as const) {
      if (!value) problems.push(`${name} is missing: the install flow for several workspaces needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together.`);
    }
  } else if (!e.SLACK_BOT_TOKEN) {
    problems.push('SLACK_BOT_TOKEN is missing: set it to the Bot User OAuth Token (xoxb-…) from OAuth & Permissions (or set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET to install on several workspaces).');
  }

  let encryption: Config['encryption'];
  for (const [name, value] of [['ENCRYPTION_KEY', e.ENCRYPTION_KEY], ['ENCRYPTION_KEY_PREVIOUS', e.ENCRYPTION_KEY_PREVIOUS]] as const) {
    if (!value) continue;
    try {
      const key = parseKey(value);
      encryption = name === 'ENCRYPTION_KEY' ? { key } : encryption ? { ...encryption, previous: key } : undefined;
    } catch (err) {
      problems.push(`${name} ${(err as Error).message}.`);
    }
  }
  if (e.ENCRYPTION_KEY_PREVIOUS && !e.ENCRYPTION_KEY) problems.push('ENCRYPTION_KEY is missing: ENCRYPTION_KEY_PREVIOUS only decrypts during a rotation; set the new key in ENCRYPTION_KEY.');
  if (mode === 'multi' && !e.ENCRYPTION_KEY) {
    problems.push('ENCRYPTION_KEY is missing: several workspaces means stored Slack and Astro tokens, which are encrypted at rest. Make one with: openssl rand -base64 32');
  }

  let organizationId = e.ASTRO_ORGANIZATION_ID;
  if (e.ASTRO_API_TOKEN && !organizationId) {
    try {
      organizationId = readTokenClaims(e.ASTRO_API_TOKEN).organizationId;
    } catch {
      problems.push('ASTRO_ORGANIZATION_ID is missing: copy the Organization ID from Astro → Organization Settings → General (ASTRO_API_TOKEN names none).');
    }
  }
  if (!e.ASTRO_API_TOKEN && mode === 'single' && !e.ENCRYPTION_KEY) {
    problems.push(
      'ASTRO_API_TOKEN is missing: create an Organization API token (role Organization Member is enough) in Astro → Organization Settings → Access Management → API Tokens (or set ENCRYPTION_KEY so that a Slack admin can connect Astro from App Home).',
    );
  } else if (!e.ASTRO_API_TOKEN && e.ASTRO_ORGANIZATION_ID) {
    problems.push("ASTRO_API_TOKEN is missing: ASTRO_ORGANIZATION_ID needs that organization's API token (Astro → Organization Settings → Access Management → API Tokens).");
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode,
    slack: {
      ...(e.SLACK_BOT_TOKEN && mode === 'single' ? { botToken: e.SLACK_BOT_TOKEN } : {}),
      ...(mode === 'multi' ? { oauth: { clientId: e.SLACK_CLIENT_ID!, clientSecret: e.SLACK_CLIENT_SECRET!, stateSecret: e.SLACK_STATE_SECRET! } } : {}),
      ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
      ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
      ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
    },
    port: e.PORT,
    astro: { apiUrl: e.ASTRO_API_URL, ...(e.ASTRO_API_TOKEN && organizationId ? { apiToken: e.ASTRO_API_TOKEN, organizationId } : {}) },
    ...(e.ALLOWED_TEAM_IDS ? { allowedTeamIds: new Set(e.ALLOWED_TEAM_IDS) } : {}),
    astroEnvTeamIds: new Set(e.ASTRO_ENV_TEAM_IDS ?? []),
    adminUserIds: new Set(e.ADMIN_USER_IDS ?? []),
    ...(encryption ? { encryption } : {}),
    astroUiUrl: e.ASTRO_UI_URL,
    store,
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    cacheHotSeconds: e.CACHE_HOT_SECONDS,
    astroRequestsPerSecond: e.ASTRO_REQUESTS_PER_SECOND,
    limits: { perUserPerMinute: e.LOOKUPS_PER_USER_PER_MINUTE, perWorkspacePerMinute: e.LOOKUPS_PER_WORKSPACE_PER_MINUTE },
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
    logLevel: e.LOG_LEVEL,
  };
}

/** Every secret value in `config`, for the log scrubber. */
export function secretsOf(config: Config): string[] {
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    config.slack.oauth?.clientSecret,
    config.slack.oauth?.stateSecret,
    config.astro.apiToken,
    config.metricsToken,
    config.encryption?.key.toString('base64'),
    config.encryption?.key.toString('hex'),
  ].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
