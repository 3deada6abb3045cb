/**
 * The Workflow Builder step "Look up Astro user" (a custom step: https://docs.slack.dev/tools/bolt-js/concepts/custom-steps).
 * Slack sends a `function_executed` event; Bolt acknowledges it (`autoAcknowledge`) and gives this
 * listener the step's `inputs` and `complete`/`fail`, which call `functions.completeSuccess` /
 * `functions.completeError` with the workflow's own token (`bot_access_token` of the event).
 * One use case answers; a failure ends the step with a short message (no secrets, no stack).
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { lookUpForWorkflow, WORKFLOW_ASKER_ID } from '../../../app/workflow-lookup.js';
import { askContext } from '../../request.js';
import { failureMessage } from '../../views/messages.js';
import type { ListenerDeps } from '../deps.js';

/** The step's `callback_id` (manifest `functions`). */
export const LOOKUP_STEP_ID = 'lookup_astro_user';
/** The step's one input parameter. */
export const LOOKUP_STEP_INPUT = 'email_or_id';

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'function_executed'>;

/** A failure message as one plain line: the message's text without its leading emoji. */
function plain(mrkdwn: string): string {
  return mrkdwn.replace(/^:[a-z0-9_+-]+:\s*/, '').replace(/\s+/g, ' ').slice(0, 500);
}

/** Builds the step's listener. */
export function lookupAstroUserStep(deps: ListenerDeps) {
  return async ({ inputs, complete, fail, context, body, client }: Args): Promise<void> => {
    const raw = (inputs as Record<string, unknown> | undefined)?.[LOOKUP_STEP_INPUT];
    const ctx = askContext(deps, { context, body: body as never, client }, { kind: 'bot', botId: WORKFLOW_ASKER_ID }, 'workflow', 'channel');
    const result = await lookUpForWorkflow(deps.services, ctx, typeof raw === 'string' ? raw : '');
    try {
      if (result.kind === 'found') await complete({ outputs: { ...result.outputs } });
      else if (result.kind === 'bad_input') await fail({ error: 'Give an email address or an Astro user ID (25 characters, starting with c).' });
      else {
        const message = failureMessage(result.failure, result.label);
        const section = message.blocks[0] as { text?: { text?: string } } | undefined;
        await fail({ error: plain(section?.text?.text ?? message.text) });
      }
    } catch (err) {
      deps.log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not end the workflow step');
    }
  };
}
