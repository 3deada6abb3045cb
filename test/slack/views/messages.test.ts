/**
 * failureMessage (and the help and input-problem messages): a distinct, actionable text per
 * failure code, Astro's requestId for support when there is one, and no internals leaked.
 */
import { describe, expect, it } from 'vitest';
import { AstroApiError, type AstroErrorKind } from '../../../src/astro/errors.js';
import { toFailure, type Failure } from '../../../src/core/outcomes.js';
import type { InputProblem } from '../../../src/core/query.js';
import { NotConfiguredError } from '../../../src/lookup/lookup.js';
import { EXAMPLE_USER_ID, failureMessage, helpMessage, inputProblemMessage } from '../../../src/slack/views/messages.js';
import { allText, expectValidBlockKit } from '../../support/block-kit.js';

const USER_ID = 'clm9sq6s0000008kz7uvl7yz7';
const KINDS: AstroErrorKind[] = ['not_found', 'unauthorized', 'forbidden', 'bad_request', 'rate_limited', 'unavailable', 'bad_response', 'timeout'];
const INTERNAL = 'upstream said: SELECT * FROM users at /srv/astro/handler.go:42';

const apiError = (kind: AstroErrorKind, requestId?: string) =>
  new AstroApiError(kind, INTERNAL, { status: 500, ...(requestId ? { requestId } : {}) });

/** The main (first section) text of a message. */
const mainText = (m: ReturnType<typeof failureMessage>) => allText(m.blocks[0]);

/** What a thrown error shows, as the application layer turns it into a failure. */
const lookupErrorMessage = (err: unknown, userId: string) => failureMessage(toFailure(err), userId);

describe('failureMessage', () => {
  it.each(KINDS)('explains %s with a valid Block Kit message that says what to do', (kind) => {
    const m = lookupErrorMessage(apiError(kind), USER_ID);
    expectValidBlockKit(m);
    expect(m.text.trim()).not.toBe('');
    expect(mainText(m)).toMatch(/try again|check|ask/i);
  });

  it('gives every kind its own text and its own fallback', () => {
    const messages = KINDS.map((k) => lookupErrorMessage(apiError(k), USER_ID));
    expect(new Set(messages.map((m) => m.text)).size).toBe(KINDS.length);
    expect(new Set(messages.map(mainText)).size).toBe(KINDS.length);
  });

  it.each(KINDS)("includes Astro's requestId for %s when there is one", (kind) => {
    const m = lookupErrorMessage(apiError(kind, 'req-7f3a:99'), USER_ID);
    expectValidBlockKit(m);
    expect(allText(m.blocks)).toContain('`req-7f3a:99`');
    expect(allText(m.blocks)).toMatch(/support/);
  });

  it.each(KINDS)('mentions no request ID for %s when Astro gave none', (kind) => {
    const shown = allText(lookupErrorMessage(apiError(kind), USER_ID));
    expect(shown).not.toMatch(/request ID/i);
    expect(shown).not.toContain('undefined');
  });

  it.each(KINDS)("never shows the error's own message for %s", (kind) => {
    const shown = allText(lookupErrorMessage(apiError(kind, 'req-1'), USER_ID));
    expect(shown).not.toContain('SELECT');
    expect(shown).not.toContain('handler.go');
  });

  it('names the user that was not found, escaped', () => {
    expect(allText(lookupErrorMessage(apiError('not_found'), USER_ID).blocks)).toContain(`\`${USER_ID}\``);
    const hostile = lookupErrorMessage(apiError('not_found'), '<!channel>');
    expectValidBlockKit(hostile);
    expect(allText(hostile.blocks)).not.toContain('<!channel>');
    expect(allText(hostile.blocks)).toContain('&lt;!channel&gt;');
  });

  it('tells an unconfigured workspace that Astro is not connected yet', () => {
    const m = lookupErrorMessage(new NotConfiguredError(), USER_ID);
    expectValidBlockKit(m);
    expect(m.text).toMatch(/not connected/);
    expect(mainText(m)).toMatch(/not configured for this Slack workspace yet; an admin can connect Astro in App Home/);
  });

  it('answers any other error with a generic text: no message, no stack', () => {
    const err = new TypeError(`Cannot read properties of undefined (reading 'items') ${INTERNAL}`);
    const m = lookupErrorMessage(err, USER_ID);
    expectValidBlockKit(m);
    const shown = allText(m);
    expect(shown).toMatch(/Something went wrong on our side/);
    expect(shown).not.toContain('Cannot read');
    expect(shown).not.toContain('SELECT');
    expect(shown).not.toMatch(/\bat .*:\d+/); // no stack frame
    expect(allText(lookupErrorMessage('a thrown string', USER_ID))).toBe(shown);
  });
});

describe('failureMessage for every code', () => {
  const FAILURES: Failure[] = [
    { code: 'not_configured' },
    { code: 'settings_unreadable' },
    { code: 'store_unavailable' },
    { code: 'email_not_found' },
    { code: 'slack_user_no_email', slackUserId: 'U0NOEMAIL' },
    { code: 'slack_user_not_in_astro', slackUserId: 'U0NOASTRO' },
    { code: 'no_name_match', text: 'zelda <!here>' },
    { code: 'guest_refused' },
    { code: 'not_in_user_group' },
    { code: 'asker_unknown' },
    { code: 'bot_refused' },
    { code: 'public_not_allowed' },
    { code: 'throttled', scope: 'user', retryAfterMs: 12_400 },
    { code: 'throttled', scope: 'workspace', retryAfterMs: 1 },
    { code: 'unexpected' },
  ];

  it('gives every code its own valid, non-empty message, with no raw markup from data', () => {
    const messages = FAILURES.map((f) => failureMessage(f, ''));
    for (const m of messages) {
      expectValidBlockKit(m);
      expect(m.text.trim()).not.toBe('');
      expect(allText(m.blocks)).not.toContain('<!here>');
    }
    expect(new Set(messages.map(mainText)).size).toBe(FAILURES.length);
  });

  it('says when to try again after a throttle, rounded up to whole seconds', () => {
    expect(mainText(failureMessage({ code: 'throttled', scope: 'user', retryAfterMs: 12_400 }, ''))).toMatch(/try again in 13 s/);
    expect(mainText(failureMessage({ code: 'throttled', scope: 'workspace', retryAfterMs: 1 }, ''))).toMatch(/This workspace .* try again in 1 s/i);
  });

  it('names the Slack person whose email is hidden or unknown to Astro', () => {
    expect(mainText(failureMessage({ code: 'slack_user_no_email', slackUserId: 'U0NOEMAIL' }, ''))).toContain('<@U0NOEMAIL>');
    expect(mainText(failureMessage({ code: 'slack_user_not_in_astro', slackUserId: 'U0NOASTRO' }, ''))).toContain('<@U0NOASTRO>');
  });
});

describe('helpMessage and inputProblemMessage', () => {
  it('explains usage with an example ID and the command name Slack sent', () => {
    const m = helpMessage('/astro-user-dev');
    expectValidBlockKit(m);
    expect(allText(m.blocks)).toContain(`/astro-user-dev ${EXAMPLE_USER_ID}`);
  });

  const PROBLEMS: InputProblem[] = [
    { kind: 'not_an_id', shown: '<!channel> `x`' },
    { kind: 'several' },
    { kind: 'too_long' },
  ];

  it.each(PROBLEMS)('explains $kind with a valid message, an example, and no raw markup from the input', (problem) => {
    const m = inputProblemMessage(problem);
    expectValidBlockKit(m);
    const shown = allText(m.blocks);
    expect(shown).toContain(EXAMPLE_USER_ID);
    expect(shown).not.toMatch(/<[@!#]/);
  });
});
