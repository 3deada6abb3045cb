/**
 * Registers every listener on the Bolt app: one Bolt listener per kind of payload, each routing
 * by event type or `action_id` (Bolt runs every registered listener's matchers on every request,
 * so five listeners cost less than one per route). Each listener is built per request with the
 * request's logger and a `respond()` that posts with our responder.
 */
import type { App, Context } from '@slack/bolt';
import { requestLogger, type Logger } from '../../logger.js';
import { HOME } from '../views/home.js';
import { CONFIG } from '../views/config-modal.js';
import { CARD_ACTION } from '../views/user-card.js';
import { PICK_ACTION } from '../views/picker.js';
import { EXPLAIN_ACTION } from '../views/explain-roles.js';
import { cardOpen, cardRefresh, cardShare, pickUser } from './actions/card.js';
import { accessFull, accessPick, accessPrivately, accessRefresh, accessShare } from './actions/access.js';
import { linkShared } from './events/link-shared.js';
import { homeAccess, homeLookup, homeOpenUser } from './actions/home.js';
import { ACCESS_ACTION } from '../views/access.js';
import { explainRolesAction } from './actions/explain-roles.js';
import { astroUserCommand } from './commands/astro-user.js';
import type { ListenerDeps } from './deps.js';
import { appHomeOpened } from './events/app-home-opened.js';
import { appMention } from './events/app-mention.js';
import { uninstallListener } from './events/uninstall.js';
import { userChange } from './events/user-change.js';
import { reportBackHome, reportInHome } from './actions/report.js';
import { REPORT } from '../views/report.js';
import { LOOKUP_SHORTCUT_ID, lookupMessageShortcut } from './shortcuts/lookup-message.js';
import { configSubmission, configureAction, disconnectAction } from './views/astro-config.js';
import { REPORT_DETAILS_ACTION } from '../views/scheduled-report.js';
import { reportDetailsAction } from './actions/report-details.js';
import { LOOKUP_STEP_ID, lookupAstroUserStep } from './functions/lookup-astro-user.js';

/** `action_id`, with an optional `:n` suffix (several cards in one message). */
const withSuffix = (id: string) => new RegExp(`^${id}(:\\d+)?$`);
/** `action_id`, exactly. */
const exactly = (id: string) => new RegExp(`^${id}$`);

/** What Bolt passes every listener that {@link perRequest} reads. */
interface RequestArgs {
  context: Context;
  body: unknown;
  respond?: unknown;
}

/** The `response_url` of a payload, as Bolt finds it (view submissions carry `response_urls`). */
function responseUrlOf(body: unknown): string | undefined {
  const b = body as { response_url?: unknown; response_urls?: { response_url?: unknown }[] } | null;
  const url = b?.response_url ?? b?.response_urls?.[0]?.response_url;
  return typeof url === 'string' ? url : undefined;
}

/**
 * A listener built, for each request, from `deps` whose `log` carries the request's correlation ID
 * ({@link requestLogger}, made on first use, after the listener's ack), and given a `respond()`
 * that posts with `deps.responder` (undici) instead of Bolt's (fetch).
 */
function perRequest<A extends RequestArgs>(deps: ListenerDeps, make: (deps: ListenerDeps) => (args: A) => Promise<void>): (args: A) => Promise<void> {
  return (args) => {
    const url = args.respond ? responseUrlOf(args.body) : undefined;
    let log: Logger | undefined;
    const scoped: ListenerDeps = {
      ...deps,
      get log() {
        log ??= requestLogger(deps.log, args.context);
        return log;
      },
    };
    return make(scoped)(url ? { ...args, respond: deps.responder.to(url) } : args);
  };
}

/**
 * A route's listener. Bolt types each event's and action's arguments apart; every listener is
 * typed where it is defined, and the router only hands it the payload its route matched.
 */
// biome-ignore lint/suspicious/noExplicitAny: each route's listener is typed where it is defined
type AnyListener = (args: any) => Promise<void>;

/** Registers the slash command (any name the manifest gives it), events, actions, the shortcut and the modal. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  app.command(/^\/.+$/, perRequest(deps, astroUserCommand));

  const events: Record<string, AnyListener> = {
    app_home_opened: perRequest(deps, appHomeOpened),
    app_mention: perRequest(deps, appMention),
    app_uninstalled: perRequest(deps, uninstallListener),
    link_shared: perRequest(deps, linkShared),
    tokens_revoked: perRequest(deps, uninstallListener),
    user_change: perRequest(deps, userChange),
  };
  app.event(new RegExp(`^(?:${Object.keys(events).join('|')})$`), (args) => events[args.event.type]!(args));

  const actions: [RegExp, AnyListener][] = [
    [exactly(HOME.lookupAction), perRequest(deps, homeLookup)],
    [exactly(HOME.queryAction), perRequest(deps, homeLookup)],
    [withSuffix(HOME.recentAction), perRequest(deps, (d) => homeOpenUser(d, { bypassCache: false }))],
    [exactly(HOME.configureAction), perRequest(deps, configureAction)],
    [exactly(HOME.disconnectAction), perRequest(deps, disconnectAction)],
    [withSuffix(CARD_ACTION.refresh), perRequest(deps, cardRefresh)],
    [withSuffix(CARD_ACTION.share), perRequest(deps, cardShare)],
    [withSuffix(CARD_ACTION.open), cardOpen()],
    [withSuffix(PICK_ACTION), perRequest(deps, pickUser)],
    [exactly(HOME.accessAction), perRequest(deps, homeAccess)],
    [exactly(HOME.accessInputAction), perRequest(deps, homeAccess)],
    [exactly(ACCESS_ACTION.refresh), perRequest(deps, accessRefresh)],
    [exactly(ACCESS_ACTION.share), perRequest(deps, accessShare)],
    [exactly(ACCESS_ACTION.full), perRequest(deps, accessFull)],
    [withSuffix(ACCESS_ACTION.pick), perRequest(deps, accessPick)],
    [exactly(ACCESS_ACTION.open), cardOpen()],
    [exactly(ACCESS_ACTION.privately), perRequest(deps, accessPrivately)],
    [exactly(REPORT_DETAILS_ACTION), perRequest(deps, reportDetailsAction)],
    [exactly(REPORT.showInHome), perRequest(deps, (d) => reportInHome(d, { fresh: false }))],
    [exactly(REPORT.refreshHome), perRequest(deps, (d) => reportInHome(d, { fresh: true }))],
    [exactly(REPORT.backHome), perRequest(deps, reportBackHome)],
    [withSuffix(EXPLAIN_ACTION), perRequest(deps, explainRolesAction)],
  ];
  app.action(new RegExp(actions.map(([re]) => `(?:${re.source})`).join('|')), (args) => {
    const id = (args.action as { action_id?: string }).action_id ?? '';
    return actions.find(([re]) => re.test(id))![1](args);
  });

  app.shortcut({ type: 'message_action', callback_id: LOOKUP_SHORTCUT_ID }, perRequest(deps, lookupMessageShortcut));
  app.view(CONFIG.callbackId, perRequest(deps, configSubmission));
  // Workflow Builder step; Bolt acknowledges the function_executed event (autoAcknowledge).
  app.function(LOOKUP_STEP_ID, perRequest(deps, lookupAstroUserStep));
}
