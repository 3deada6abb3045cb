/**
 * parseQuery: what a person typed after /astro-user becomes help, one user ID, or a reason to
 * refuse it before any API call.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/slack/query.js';

const ID = 'clm9sq6s0000008kz7uvl7yz7';

describe('parseQuery', () => {
  it.each(['', '   ', 'help', '  HELP ', '--help', '-h', '?'])('answers %j with help', (text) => {
    expect(parseQuery(text)).toEqual({ kind: 'help' });
  });

  it('answers no text at all (undefined) with help', () => {
    expect(parseQuery(undefined)).toEqual({ kind: 'help' });
  });

  it.each([ID, ` ${ID} `, `\`${ID}\``, `"${ID}"`, `'${ID}'`, `“${ID}”`, `<${ID}>`, `(${ID}).`, `*${ID}*`])(
    'reads %j as the user ID',
    (text) => {
      expect(parseQuery(text)).toEqual({ kind: 'user_id', userId: ID });
    },
  );

  it.each([
    ['an upper-case ID', ID.toUpperCase()],
    ['a too short ID', ID.slice(0, 24)],
    ['a too long ID', `${ID}x`],
    ['a path', '../x'],
    ['an ID-shaped path', `c${'a'.repeat(11)}/${'b'.repeat(12)}`],
    ['an ID not starting with c', `d${ID.slice(1)}`],
    ['a word', 'jane'],
  ])('refuses %s as not_an_id, echoing what was typed', (_what, text) => {
    expect(parseQuery(text)).toEqual({ kind: 'invalid', problem: { kind: 'not_an_id', shown: text } });
  });

  it('refuses two IDs at once as several', () => {
    expect(parseQuery(`${ID} clx1user0000001abcdefghij`)).toEqual({ kind: 'invalid', problem: { kind: 'several' } });
    expect(parseQuery(`\`${ID}\`,  "${ID}"`)).toEqual({ kind: 'invalid', problem: { kind: 'several' } });
  });

  it('refuses an ID followed by other words as not_an_id, showing the whole text', () => {
    expect(parseQuery(`${ID} please`)).toEqual({ kind: 'invalid', problem: { kind: 'not_an_id', shown: `${ID} please` } });
  });

  it('recognises an email, escaped by Slack or typed plainly', () => {
    expect(parseQuery('<mailto:a@b.co|a@b.co>')).toEqual({ kind: 'invalid', problem: { kind: 'email', shown: 'a@b.co' } });
    expect(parseQuery('a@b.co')).toEqual({ kind: 'invalid', problem: { kind: 'email', shown: 'a@b.co' } });
  });

  it('recognises a Slack mention, escaped by Slack or typed plainly', () => {
    expect(parseQuery('<@U123|jane>')).toEqual({ kind: 'invalid', problem: { kind: 'mention' } });
    expect(parseQuery('<@U0123ABCD>')).toEqual({ kind: 'invalid', problem: { kind: 'mention' } });
    expect(parseQuery('@jane')).toEqual({ kind: 'invalid', problem: { kind: 'mention' } });
  });

  it('refuses text over 500 characters as too_long without examining it', () => {
    expect(parseQuery('x'.repeat(600))).toEqual({ kind: 'invalid', problem: { kind: 'too_long' } });
    expect(parseQuery(`${ID} `.repeat(30))).toEqual({ kind: 'invalid', problem: { kind: 'too_long' } });
  });

  it('never throws, whatever is typed', () => {
    for (const text of ['<', '<mailto:>', '<@>', '``', '\u0000', '\u{1F680}'.repeat(300), 'a\nb', '<!channel>']) {
      expect(parseQuery(text).kind).toMatch(/^(help|user_id|invalid)$/);
    }
  });
});
