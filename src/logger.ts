/**
 * Structured JSON logging with pino, with secrets scrubbed from every line before it is written.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import { pino, destination, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Patterns of credentials that must never reach a log line even when we do not know their value:
 * Slack tokens (`xoxb-`, `xoxp-`, `xapp-`, …) and JWTs (Astro API tokens are JWTs).
 */
const SECRET_PATTERNS: RegExp[] = [
  /\bxox[a-z]-[A-Za-z0-9-]{6,}/g,
  /\bxapp-[A-Za-z0-9-]{6,}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
];

/** Escapes `s` for use inside a RegExp. */
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Builds a function that replaces every known secret value, and anything shaped like a Slack
 * token or a JWT, with `[REDACTED]`.
 *
 * @param secrets exact secret values (tokens, signing secret); values shorter than 8 characters
 *   are ignored, as they would redact ordinary words.
 */
export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const exact = secrets.filter((s) => s.length >= 8).map(escapeRegExp);
  // JSON-escaped forms too: a secret containing `/` or `"` is written differently inside JSON.
  const jsonForms = secrets.filter((s) => s.length >= 8).map((s) => escapeRegExp(JSON.stringify(s).slice(1, -1)));
  const all = [...new Set([...exact, ...jsonForms])];
  const exactRe = all.length > 0 ? new RegExp(all.join('|'), 'g') : undefined;
  return (text: string) => {
    let out = exactRe ? text.replace(exactRe, '[REDACTED]') : text;
    for (const re of SECRET_PATTERNS) out = out.replace(re, '[REDACTED]');
    return out;
  };
}

/**
 * Fields added to every log line written while handling one Slack request, e.g.
 * `{ correlationId }`: set with `logContext.run(fields, fn)` by the app's first middleware.
 */
export const logContext = new AsyncLocalStorage<Record<string, unknown>>();

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level name (`info`, `debug`, …, `silent`). */
  level: string;
  /** Exact secret values to scrub from every line. */
  secrets?: readonly string[];
  /** Where lines go; stdout by default. Tests pass a stream to read the lines back. */
  destination?: DestinationStream;
}

/**
 * Creates the process logger: one JSON object per line, with `time` in ms since the epoch,
 * `level` as a label, and every secret scrubbed (pino `hooks.streamWrite`).
 */
export function createLogger(options: LoggerOptions): Logger {
  const scrub = createScrubber(options.secrets ?? []);
  return pino(
    {
      level: options.level,
      base: { app: 'astro-user' },
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => logContext.getStore() ?? {},
      redact: {
        paths: ['token', '*.token', 'apiToken', '*.apiToken', 'headers.authorization', '*.headers.authorization'],
        censor: '[REDACTED]',
      },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? destination({ sync: false }),
  );
}

const toBoltLevel: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** Joins Bolt's variadic log arguments into a message, keeping the first Error as `err`. */
function split(args: unknown[]): [Record<string, unknown>, string] {
  const err = args.find((a): a is Error => a instanceof Error);
  const msg = args
    .filter((a) => a !== err)
    .map((a) => (typeof a === 'string' ? a : safeStringify(a)))
    .join(' ');
  return [err ? { err } : {}, msg || (err ? err.message : '')];
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Adapts a pino logger to Bolt's `Logger` interface (`@slack/logger`), so Bolt's and the Web
 * API client's own lines are structured and scrubbed like ours.
 */
export function toSlackLogger(log: Logger): SlackLogger {
  let child = log.child({ component: 'bolt' });
  return {
    debug: (...args: unknown[]) => child.debug(...split(args)),
    info: (...args: unknown[]) => child.info(...split(args)),
    warn: (...args: unknown[]) => child.warn(...split(args)),
    error: (...args: unknown[]) => child.error(...split(args)),
    setLevel: () => {
      /* the level is set once, by LOG_LEVEL */
    },
    getLevel: () => toBoltLevel[log.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      child = log.child({ component: name });
    },
  };
}
