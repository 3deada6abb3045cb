/**
 * The Bolt app and its receiver: HTTP (signed requests, production) or Socket Mode (local
 * development), the Web API client's options, request tracking for a graceful stop, the answer to
 * requests from workspaces without an installation, and start-up errors in words an operator can act on.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type CustomRoute } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import { toFailure } from '../core/outcomes.js';
import { toSlackLogger, type Logger } from '../logger.js';
import type { Responder } from '../slack/transport/respond.js';
import { guardServer } from './request-guard.js';

/** Wall-clock time allowed for one Slack Web API call, in ms (Slack asks apps to answer in 3 s). */
const SLACK_API_TIMEOUT_MS = 5000;

/**
 * Options of every Web API client: `SLACK_API_URL`, a 5 s timeout, one short retry, and rate-limited
 * calls rejected (interactive paths must not wait silently through Slack's long rate-limit retries).
 */
export function webClientOptions(config: Pick<Config, 'slack'>): WebClientOptions {
  return {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    timeout: SLACK_API_TIMEOUT_MS,
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
    rejectRateLimitedCalls: true,
  };
}

/** Options of {@link createBoltApp}. */
export interface BoltOptions {
  log: Logger;
  routes: CustomRoute[];
  /** OAuth install options (multi-workspace mode), else the single workspace's bot token is used. */
  auth: Record<string, unknown>;
  /** Hold Slack's HTTP response until listeners finish (deterministic tests only; never on a server). */
  processBeforeResponse?: boolean;
  /** Posts to `response_url`s (used to tell a workspace without an installation). */
  responder: Responder;
  /** Told when the Socket Mode connection goes up or down. */
  onSocket?: (connected: boolean) => void;
}

/** A Bolt app, with the requests it is still working on. */
export interface BoltApp {
  app: App;
  socketMode: boolean;
  /** Work of requests already acknowledged and not finished. */
  inFlight: Set<Promise<unknown>>;
  log: Logger;
}

/**
 * Creates the Bolt app (not started): HTTP receiver with the signing secret, or Socket Mode with
 * the App-Level Token; a correlation ID per request; tracking of requests in flight; and an
 * error handler that answers requests from workspaces without an installation.
 */
export function createBoltApp(config: Config, options: BoltOptions): BoltApp {
  const { log } = options;
  const socketMode = Boolean(config.slack.appToken);
  const common = {
    ...options.auth,
    customRoutes: options.routes,
    logger: toSlackLogger(log),
    logLevel: LogLevel.INFO,
    clientOptions: webClientOptions(config),
    deferInitialization: true,
    extendedErrorHandler: true,
  };
  const app = socketMode
    ? new App({ ...common, appToken: config.slack.appToken, socketMode: true, ...(config.mode === 'single' ? { installerOptions: { port: config.port } } : {}) })
    : new App({ ...common, signingSecret: config.slack.signingSecret ?? '', processBeforeResponse: options.processBeforeResponse ?? false });

  if (socketMode && options.onSocket) {
    // Socket Mode client states: https://docs.slack.dev/tools/node-slack-sdk/socket-mode
    const client = (app as unknown as { receiver: { client?: { on(event: string, f: () => void): void } } }).receiver.client;
    client?.on('connected', () => options.onSocket?.(true));
    for (const down of ['disconnected', 'reconnecting']) client?.on(down, () => options.onSocket?.(false));
  }
  const inFlight = new Set<Promise<unknown>>();
  app.use(async ({ next, context }) => {
    context.correlationId = randomUUID();
    const work = next();
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });
  const onError = async ({ error, body }: { error: Error; body: unknown }): Promise<void> => {
    const unreadable = (error as { code?: string }).code === 'slack_bolt_authorization_error' ? INSTALLATION_UNREADABLE[codeIn(error) ?? ''] : undefined;
    if (unreadable) {
      // The installation could not be read: say why, never "not installed" (which invites a reinstall).
      log.warn({ team: (body as { team_id?: string }).team_id, kind: codeIn(error) }, 'could not read the installation');
      const responseUrl = (body as { response_url?: unknown }).response_url;
      if (typeof responseUrl === 'string') await options.responder.to(responseUrl)({ response_type: 'ephemeral', text: unreadable }).catch(() => undefined);
      return;
    }
    if ((error as { code?: string }).code === 'slack_bolt_authorization_error') {
      // No installation for this workspace (never installed, uninstalled, or not allowed). A slash
      // command still carries a response_url, which needs no token: say so instead of silence.
      log.warn({ team: (body as { team_id?: string }).team_id }, 'request from a workspace without an installation');
      const responseUrl = (body as { response_url?: unknown }).response_url;
      if (typeof responseUrl === 'string') {
        await options.responder
          .to(responseUrl)({ response_type: 'ephemeral', text: "astro-user isn't installed for this Slack workspace (or isn't available to it). Ask an admin to install it." })
          .catch(() => undefined);
      }
      return;
    }
    log.error({ err: error }, 'unhandled error in a listener');
  };
  app.error(onError as unknown as Parameters<typeof app.error>[0]);
  return { app, socketMode, inFlight, log };
}

/** The outcome code of an error, or of one it wraps (`original`, `cause`), other than `unexpected`. */
function codeIn(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const { code } = toFailure(e);
    if (code !== 'unexpected') return code;
    e = (e as { original?: unknown; cause?: unknown }).original ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What to tell a person whose workspace's installation could not be read, by outcome code. */
const INSTALLATION_UNREADABLE: Record<string, string> = {
  store_unavailable: ':construction: astro-user is temporarily unavailable (its storage is not answering). Try again in a moment.',
  settings_unreadable: ":warning: astro-user can't read this Slack workspace's installation (its encryption key changed). Tell the person who runs astro-user; reinstalling is not needed.",
};

/**
 * Verifies the bot token with Slack (`auth.test`) and starts listening on `config.port` (HTTP) or
 * connects over Socket Mode.
 * @returns the TCP port the HTTP server listens on.
 * @throws {Error} naming SLACK_BOT_TOKEN or SLACK_APP_TOKEN and how to fix it when Slack refuses
 *   one, or when Slack cannot be reached; the port's error when it is taken.
 */
export async function startBolt(bolt: BoltApp, config: Config): Promise<{ port: number }> {
  const { app, socketMode } = bolt;
  try {
    await app.init();
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    const e = err as { original?: { cause?: { code?: string }; message?: string }; cause?: { code?: string } };
    const network = e.original?.cause?.code ?? e.cause?.code ?? e.original?.message ?? (err as Error).message;
    throw new Error(
      code
        ? `Slack refused SLACK_BOT_TOKEN (${code}): copy the Bot User OAuth Token again from OAuth & Permissions.`
        : `Could not reach Slack at ${config.slack.apiUrl ?? 'https://slack.com/api/'} to check SLACK_BOT_TOKEN (${network}). Check the network or proxy, or SLACK_API_URL if you set it.`,
    );
  }
  let server: unknown;
  try {
    server = await app.start(config.port);
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (socketMode && code) {
      throw new Error(`Slack refused SLACK_APP_TOKEN (${code}): copy the App-Level Token (scope connections:write) again from Basic Information → App-Level Tokens.`);
    }
    throw err;
  }
  if (!socketMode) {
    // Refuse unsigned, stale and oversized requests before their bodies are read; cut slow ones.
    guardServer(server as Server, { onRefused: (reason) => bolt.log.debug({ reason }, 'request refused before its body was read') });
    const address = (server as { address(): AddressInfo | string | null }).address();
    return { port: typeof address === 'object' && address ? address.port : config.port };
  }
  return { port: config.port };
}

/**
 * Waits for the work of requests in flight, at most `graceMs` (ms).
 * @returns how many were still running when the wait began.
 */
export async function drain(inFlight: Set<Promise<unknown>>, graceMs: number): Promise<number> {
  const n = inFlight.size;
  if (n === 0) return 0;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...inFlight]),
    new Promise((r) => {
      timer = setTimeout(r, graceMs);
    }),
  ]);
  clearTimeout(timer);
  return n;
}
