/**
 * Structured JSON logging with pino, with secrets scrubbed from every line before it is written.
 */
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
 * The logger of one Slack request: `base` with the request's `correlationId` (and `retryNum` when
 * Slack re-delivers an event) on every line, from Bolt's `context`, where the app's first
 * middleware puts them. It is passed explicitly, not through AsyncLocalStorage: on Node 20 and 22
 * an AsyncLocalStorage turns on promise hooks for every promise of the process, which cost
 * ~150–250 µs of CPU per slash command (measured with `npm run bench`, bench/results.md).
 */
export function requestLogger(base: Logger, context: { correlationId?: unknown; retryNum?: unknown }): Logger {
  const fields: Record<string, unknown> = {};
  if (typeof context.correlationId === 'string') fields.correlationId = context.correlationId;
  if (typeof context.retryNum === 'number' && context.retryNum > 0) fields.retryNum = context.retryNum;
  return Object.keys(fields).length > 0 ? base.child(fields) : base;
}

/** Longest time a log line waits in the buffer before it is written, in ms. */
const FLUSH_INTERVAL_MS = 1000;

/**
 * stdout, written in batches of up to 4 KiB, and at least every {@link FLUSH_INTERVAL_MS}: one
 * write per line cost ~70–90 µs of CPU per slash command (a syscall, and the thread pool, per
 * line; measured with `npm run bench`). pino flushes what is left when the process exits, and
 * index.ts flushes on SIGTERM.
 */
function bufferedStdout(): DestinationStream {
  const out = destination({ sync: false, minLength: 4096 });
  setInterval(() => {
    try {
      out.flush();
    } catch {
      /* not ready yet, or closed at exit: the next tick or the exit flush writes it */
    }
  }, FLUSH_INTERVAL_MS).unref();
  return out;
}

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
      redact: {
        paths: ['token', '*.token', 'apiToken', '*.apiToken', 'headers.authorization', '*.headers.authorization'],
        censor: '[REDACTED]',
      },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? bufferedStdout(),
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
  // Bolt logs at debug on every request: format its arguments only when the level is on.
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      if (child.isLevelEnabled(level)) child[level](...split(args));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => {
      /* the level is set once, by LOG_LEVEL */
    },
    getLevel: () => toBoltLevel[log.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      child = log.child({ component: name });
    },
  };
}
