/**
 * Who may ask: the workspace's rules on guests, user groups, bots and workflows, applied the same
 * way on every surface.
 */
import { OutcomeError, type Failure } from '../core/outcomes.js';
import type { WorkspacePolicy } from '../lookup/workspace-settings.js';
import type { Services } from './ports.js';
import type { AskContext } from './request.js';

/**
 * Refuses an asker the workspace does not let look users up:
 * - not in any of the workspace's allowed user groups, when it names some (a bot or workflow is in
 *   none unless its bot user is a member: fail closed);
 * - a guest (multi- or single-channel), unless guests are allowed; a person Slack cannot vouch for
 *   (`users.info` failed) is refused rather than guessed about;
 * - a bot or workflow, unless the workspace allows bot mentions.
 * - a person of another Slack organization (Slack Connect), when the request says so.
 * Bots are not guests; their own user, when they have one, is checked like a person's.
 * @returns the policy read (callers reuse it), or throws.
 * @throws {OutcomeError} with `other_organization`, `guest_refused`, `not_in_user_group`, `asker_unknown` or `bot_refused`;
 *   {@link StoreUnavailableError} when the policy cannot be read.
 */
export async function checkAsker(services: Services, ctx: AskContext): Promise<WorkspacePolicy> {
  const policy = await services.settings.getPolicy(ctx.workspace.key);
  const { asker, directory } = ctx;
  const refuse = (failure: Failure): never => {
    throw new OutcomeError(failure, `asker refused: ${failure.code}`);
  };
  // Someone from another Slack organization (Slack Connect) sees none of this workspace's Astro
  // data, whatever the policy (an organization-wide install spans teams: it is not checked there).
  const { teamId, isEnterpriseInstall } = ctx.workspace.ref;
  if (ctx.askerTeamId && teamId && !isEnterpriseInstall && ctx.askerTeamId !== teamId) refuse({ code: 'other_organization' });
  if (asker.kind === 'bot' && !policy.allowBotMentions) refuse({ code: 'bot_refused' });
  if (policy.allowedUserGroups.length > 0) {
    const member = asker.slackUserId ? await directory.inAnyGroup(asker.slackUserId, policy.allowedUserGroups) : false;
    if (!member) refuse({ code: 'not_in_user_group' });
  }
  if (!policy.allowGuests && asker.slackUserId) {
    const facts = await directory.facts(asker.slackUserId);
    if (!facts.known) refuse({ code: 'asker_unknown' });
    else if (facts.isGuest) refuse({ code: 'guest_refused' });
  }
  return policy;
}
