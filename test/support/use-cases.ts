/**
 * In-process use-case tests: the services the app builds (src/compose.ts `createServices`) over
 * memory stores and a stand-in Astro on loopback HTTP, a Slack directory whose answers a test
 * sets, every abuse-limit point counted, and the log lines captured.
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { PersonFacts, SlackDirectory } from '../../src/app/ports.js';
import type { AskContext, Asker, Surface } from '../../src/app/request.js';
import { workspaceOf } from '../../src/app/request.js';
import { createServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { DEFAULT_POLICY, type WorkspacePolicy } from '../../src/lookup/workspace-settings.js';
import { openStores } from '../../src/store/index.js';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET } from './app.js';
import { answerOrg, type AstroOrg } from './astro-org.js';
import { answerUsersList } from './astro-users.js';
import { ADA } from './fixtures.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest } from './http-stub.js';

/** A second user, so that a name search can match one or two people. */
export const ADAM = { ...ADA, id: 'clx1user0000002abcdefghij', username: 'adam.smith@example.com', fullName: 'Adam Smith' };

/** What the stand-in Slack directory says; tests change it. */
export interface DirectoryFacts {
  /** Facts per Slack user; absent users are ordinary members (`known: false` when `unknown`). */
  people: Record<string, Partial<{ isAdmin: boolean; isGuest: boolean; isBot: boolean; unknown: boolean; email: string; groups: string[] }>>;
  /** Conversations shared with another organization (true), not (false); absent: Slack won't say. */
  channels: Record<string, boolean>;
}

/** A Slack directory answering from {@link DirectoryFacts}. */
function directoryOf(facts: DirectoryFacts): SlackDirectory {
  return {
    async facts(id): Promise<PersonFacts> {
      const p = facts.people[id] ?? {};
      return p.unknown ? { known: false } : { known: true, isAdmin: p.isAdmin ?? false, isGuest: p.isGuest ?? false, isBot: p.isBot ?? false };
    },
    async isAdmin(id) {
      return facts.people[id]?.isAdmin ?? false;
    },
    async inAnyGroup(id, groups) {
      return (facts.people[id]?.groups ?? []).some((g) => groups.includes(g));
    },
    async emailOf(id) {
      return facts.people[id]?.email;
    },
    async isExternal(channel) {
      return facts.channels[channel];
    },
  };
}

/** A world for use-case tests. */
export interface UseCaseWorld {
  services: ReturnType<typeof createServices>['services'];
  /** What each installation's token can reach (to await background probes: `settled()`). */
  capabilities: ReturnType<typeof createServices>['capabilities'];
  astro: HttpStub;
  /** Log lines written, parsed. */
  logs: Record<string, unknown>[];
  /** Abuse-limit points taken so far, with the bucket of each. */
  takes: { installation: string; bucket: string }[];
  slack: DirectoryFacts;
  /** Astro's answers: set `down` to make every request fail with a 503; `status` per organization endpoint; `org` serves an organization's lists; `answer` any request first. */
  astroState: AstroState;
  /** A context for `asker` on `surface` in workspace T0001. */
  ctx(asker: Asker, surface?: Surface): AskContext;
  /** Saves the workspace's policy (defaults for what is not given). */
  setPolicy(policy: Partial<WorkspacePolicy>): Promise<void>;
  close(): Promise<void>;
}

/** The organization endpoints the probe of a token's reach asks (and `user-teams`: ListUserTeams). */
export type OrgEndpoint = 'teams' | 'tokens' | 'roles' | 'workspaces' | 'audit-logs' | 'user-teams';

/** What the stand-in Astro answers. */
export interface AstroState {
  /** Every request fails with a 503. */
  down: boolean;
  /** Status per organization endpoint; absent: 200 with an empty page (audit logs: empty bytes), or the organization's lists when `org` is set. */
  status: Partial<Record<OrgEndpoint, number>>;
  /** An organization whose lists are served (test/support/astro-org.ts). */
  org?: AstroOrg;
  /** Handles a request before anything else but `down` (true when it answered), e.g. the role endpoints a test serves. */
  answer?: (req: RecordedRequest, res: ServerResponse) => boolean;
}

/** Empty 200 answers of the organization endpoints. */
const EMPTY: Record<Exclude<OrgEndpoint, 'audit-logs'>, unknown> = {
  teams: { teams: [], totalCount: 0, offset: 0, limit: 1 },
  tokens: { tokens: [], totalCount: 0, offset: 0, limit: 1 },
  roles: { roles: [], totalCount: 0, offset: 0, limit: 1 },
  workspaces: { workspaces: [], totalCount: 0, offset: 0, limit: 1 },
  'user-teams': { teams: [], totalCount: 0, offset: 0, limit: 100 },
};

/** The organization endpoint `url` names, if any. */
function orgEndpoint(url: string): OrgEndpoint | undefined {
  const path = url.split('?', 1)[0] ?? '';
  if (new RegExp(`^/organizations/${ORG_ID}/users/[^/]+/teams$`).test(path)) return 'user-teams';
  const m = new RegExp(`^/organizations/${ORG_ID}/(teams|tokens|roles|workspaces|audit-logs)$`).exec(path);
  return m ? (m[1] as OrgEndpoint) : undefined;
}

/** The Astro requests the stand-in answered (GetUser of ADA or ADAM, ListUsers, the organization endpoints). */
function standInAstro(state: AstroState) {
  return (req: RecordedRequest, res: ServerResponse) => {
    if (state.down) return json(res, 503, { message: 'down for maintenance', requestId: 'req-down-1' });
    if (state.answer?.(req, res)) return;
    // A token whose signature says REFUSED is one Astro does not accept.
    if (String(req.headers.authorization ?? '').endsWith('.UkVGVVNFRA')) return json(res, 401, { message: 'bad token', requestId: 'req-401' });
    const endpoint = orgEndpoint(req.url);
    const forced = endpoint ? state.status[endpoint] : undefined;
    if (endpoint && forced !== undefined && forced !== 200) return json(res, forced, { message: `status ${forced}`, requestId: `req-${endpoint}-${forced}`, statusCode: forced });
    if (state.org && answerOrg(req, res, state.org)) return;
    if (endpoint) {
      if (endpoint !== 'audit-logs') return json(res, 200, EMPTY[endpoint]);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end();
      return;
    }
    if (answerUsersList(req, res, [ADA, ADAM])) return;
    // Connect Astro's test call (ListUsers, limit 1).
    if (req.url === `/organizations/${ORG_ID}/users?offset=0&limit=1`) return json(res, 200, { users: [ADA], offset: 0, limit: 1, totalCount: 2 });
    const user = [ADA, ADAM].find((u) => req.url === `/organizations/${ORG_ID}/users/${u.id}`);
    if (user) return json(res, 200, user);
    return json(res, 404, { message: 'not found', requestId: 'req-404' });
  };
}

/**
 * Starts a world. `env` overrides the configuration (e.g. the abuse limits); `features.teams`
 * turns on roles via Teams (ListUserTeams) on cards; `features.org` serves an organization's lists.
 */
export async function useCaseWorld(env: Record<string, string> = {}, features: { teams?: boolean; org?: AstroOrg } = {}): Promise<UseCaseWorld> {
  const astroState: AstroState = { down: false, status: {}, ...(features.org ? { org: features.org } : {}) };
  const astro = await startHttpStub(standInAstro(astroState));
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    ASTRO_API_URL: astro.url,
    ASTRO_API_TOKEN: ASTRO_TOKEN,
    ASTRO_ORGANIZATION_ID: ORG_ID,
    STORE_URL: 'memory:',
    LOG_LEVEL: 'debug',
    LOOKUPS_PER_USER_PER_MINUTE: '10000',
    LOOKUPS_PER_WORKSPACE_PER_MINUTE: '100000',
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination });
  const stores = await openStores(config.store, { log });
  const { services, capabilities } = createServices(config, { log, stores, features: { names: false, teams: features.teams ?? false }, policy: { maxAttempts: 1 } });
  const takes: UseCaseWorld['takes'] = [];
  const throttle = services.throttle;
  services.throttle = {
    take(installation, bucket, points) {
      takes.push({ installation, bucket });
      return throttle.take(installation, bucket, points);
    },
  };
  const slack: DirectoryFacts = { people: {}, channels: {} };
  const workspace = workspaceOf({ teamId: 'T0001' });
  return {
    services,
    capabilities,
    astro,
    logs,
    takes,
    slack,
    astroState,
    ctx: (asker, surface = 'command') => ({ workspace, asker, directory: directoryOf(slack), surface, visibility: 'private', log }),
    setPolicy: (policy) => services.settings.savePolicy(workspace.key, { ...DEFAULT_POLICY, ...policy }),
    async close() {
      capabilities.stop();
      await capabilities.settled();
      await stores.close();
      await astro.close();
    },
  };
}
