/**
 * The linear scan of a message for the people it names: what it finds, that it finds exactly what
 * the regular expression it replaces finds, and that hostile text does not make it quadratic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUserQueries, MAX_SCANNED_CHARS } from '../../src/core/find-queries.js';
import type { UserQuery } from '../../src/core/find-queries.js';

/**
 * The regular expression the scanner replaced (astro-user 0.1), kept here as the reference the
 * property test compares against: same matches, but quadratic on runs of unclosed `<mailto:…|`.
 */
function findWithRegex(texts: string | readonly string[], options: { exceptUser?: string; mentions?: boolean; max?: number } = {}): UserQuery[] {
  const max = options.max ?? 1000;
  const seen = new Set<string>();
  const out: UserQuery[] = [];
  const re = /(?<![0-9a-zA-Z])(c[0-9a-z]{24})(?![0-9a-zA-Z])|<mailto:([^|>\s]{3,254})(?:\|[^>]*)?>|(?<![^\s<(,;:'"])([^@\s<>|(),;:'"]{1,64}@[^@\s<>|(),;:'"]+\.[A-Za-z]{2,})|<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>/g;
  for (const text of typeof texts === 'string' ? [texts] : texts) {
    for (const m of text.slice(0, 100_000).matchAll(re)) {
      let q: UserQuery | undefined;
      if (m[1]) q = { kind: 'user_id', userId: m[1] };
      else if (m[2] ?? m[3]) q = { kind: 'email', email: (m[2] ?? m[3])!.replace(/[.]+$/, '') };
      else if (m[4] && options.mentions !== false && m[4] !== options.exceptUser) q = { kind: 'slack_user', slackUserId: m[4] };
      if (!q) continue;
      const key = JSON.stringify(q).toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(q);
      if (out.length >= max) return out;
    }
  }
  return out;
}

const ID = 'clx0000000000000000000001';
const ID2 = 'clx0000000000000000000002';

describe('findUserQueries', () => {
  it('finds Astro IDs, emails and mentions in order, without repeats', () => {
    expect(findUserQueries(`ping ${ID} and <mailto:ada@example.com|ada@example.com>, then <@U123ABC> and ${ID} again`)).toEqual([
      { kind: 'user_id', userId: ID },
      { kind: 'email', email: 'ada@example.com' },
      { kind: 'slack_user', slackUserId: 'U123ABC' },
    ]);
  });

  it('finds plain emails, dropping a sentence-ending dot, and treats repeats case-insensitively', () => {
    expect(findUserQueries('Write to grace@example.org. Or GRACE@example.org, (bob@ex.co)')).toEqual([
      { kind: 'email', email: 'grace@example.org' },
      { kind: 'email', email: 'bob@ex.co' },
    ]);
  });

  it('ignores an ID glued to other letters or digits, and an email glued to a word', () => {
    expect(findUserQueries(`x${ID} ${ID}9 a.b@c=${'d'}@e.com`)).toEqual([]);
  });

  it('leaves out the bot itself, or every mention when mentions is false', () => {
    expect(findUserQueries('<@UBOT> <@U999|grace>', { exceptUser: 'UBOT' })).toEqual([{ kind: 'slack_user', slackUserId: 'U999' }]);
    expect(findUserQueries(`<@U999> ${ID}`, { mentions: false })).toEqual([{ kind: 'user_id', userId: ID }]);
  });

  it('stops at max, and scans several texts in order', () => {
    expect(findUserQueries([ID, `${ID2} ${ID}`], { max: 1 })).toEqual([{ kind: 'user_id', userId: ID }]);
    expect(findUserQueries([ID2, ID])).toEqual([
      { kind: 'user_id', userId: ID2 },
      { kind: 'user_id', userId: ID },
    ]);
  });

  it(`reads only the first ${MAX_SCANNED_CHARS.toLocaleString('en-US')} characters of each text`, () => {
    const pad = ' '.repeat(MAX_SCANNED_CHARS - 25);
    expect(findUserQueries(`${pad}${ID}`)).toEqual([{ kind: 'user_id', userId: ID }]);
    expect(findUserQueries(`${pad} ${ID}`)).toEqual([]);
  });

  it('finds a mailto or a mention only when a > closes it', () => {
    expect(findUserQueries('<mailto:a@b.co|a@b.co <@U12|x')).toEqual([{ kind: 'email', email: 'a@b.co' }]);
  });

  it('scans 100,000 characters of unclosed <mailto: and <@ openings with work proportional to their length', () => {
    // Counted in character reads rather than timed (timing targets live in the benchmark): a
    // String whose charCodeAt is counted, which the scan accepts like any string.
    for (const unit of ['<mailto:a|', '<@U12|', 'a@b', 'a@b.c.', '<mailto:a@b.co|<@U12|a@b.c ']) {
      const text = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
      let reads = 0;
      const counted = Object.assign(new String(text), {
        charCodeAt(i: number) {
          reads += 1;
          return String.prototype.charCodeAt.call(text, i);
        },
      }) as unknown as string;
      const found = findUserQueries([counted]);
      expect(found).toEqual(findUserQueries(text));
      expect(reads, unit).toBeLessThan(10 * text.length);
    }
  });
});

describe('the same answers as the regular expression it replaces', () => {
  const pieces = [
    'c', 'x', 'Z', '0', '9', '@', '.', '<', '>', '|', ' ', '\n', '\u00a0', '\u2028', ':', ',', ';', '(', ')', "'", '"', '-', '_', 'é', '\ud83d',
    'com', 'co', 'io', 'ada', 'GRACE', 'mailto:', '<mailto:', '<@', '<@U', '<@W', 'U12AB', 'W0', ID, ID.slice(0, 20), `${ID}x`, 'a@b.co', 'a@b.c', 'x@y.co.',
    '<mailto:a@b.co>', '<mailto:a@b.co|', '<@U123|', '<@U123>',
  ];
  const text = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join(''));

  it('on texts built from the characters and pieces that matter', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.constantFrom(undefined, 'U123', 'U12AB'), fc.integer({ min: 1, max: 5 }), (texts, mentions, exceptUser, max) => {
        const options = { mentions, max, ...(exceptUser ? { exceptUser } : {}) };
        expect(findUserQueries(texts, options)).toEqual(findWithRegex(texts, options));
      }),
      { numRuns: 3000 },
    );
  });

  it('on long runs: a 300-character address, a 70-character local part', () => {
    for (const t of [`<mailto:${'a'.repeat(254)}>`, `<mailto:${'a'.repeat(255)}>`, `${'a'.repeat(64)}@b.co`, `${'a'.repeat(65)}@b.co`, `<@U${'A'.repeat(29)}>`, `<@U${'A'.repeat(30)}>`, `<@U${'A'.repeat(31)}>`]) {
      expect(findUserQueries(t)).toEqual(findWithRegex(t));
    }
  });
});
