/**
 * README.md stays true: its example card is exactly what the renderer produces, its Block Kit
 * Builder link opens that card, and it documents every variable the configuration reads.
 * `UPDATE_README=1 npx vitest run test/docs` rewrites the example after a renderer change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectValidBlockKit } from '../support/block-kit.js';
import { ADA } from '../support/fixtures.js';
import { exampleAccessText, exampleUnfurlText } from './example-access.js';
import { blockKitBuilderUrl, exampleCard } from './example-card.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const ENV_EXAMPLE = fileURLToPath(new URL('../../.env.example', import.meta.url));
const CONFIG_SRC = fileURLToPath(new URL('../../src/config.ts', import.meta.url));
const START = '<!-- example-card:start -->';
const END = '<!-- example-card:end -->';

function exampleSection(): string {
  const card = exampleCard();
  return [
    START,
    'The Astro answer (`GetUser`):',
    '',
    '```json',
    JSON.stringify(ADA, null, 2),
    '```',
    '',
    `The reply posted to the command's \`response_url\` ([open its blocks in Block Kit Builder](${blockKitBuilderUrl(card)})):`,
    '',
    '```json',
    JSON.stringify({ response_type: 'ephemeral', ...card }, null, 2),
    '```',
    END,
  ].join('\n');
}

describe('README.md', () => {
  it('shows the card the renderer really produces, with a working Block Kit Builder link', () => {
    let readme = readFileSync(README, 'utf8');
    const expected = exampleSection();
    if (process.env.UPDATE_README === '1') {
      readme = readme.replace(new RegExp(`${START}[\\s\\S]*?${END}`), expected);
      writeFileSync(README, readme);
    }
    const actual = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(actual).toBe(expected);
    expectValidBlockKit(exampleCard());
  });

  it('shows the access answer and the unfurl the renderers really produce', () => {
    const S = '<!-- example-access:start -->';
    const E = '<!-- example-access:end -->';
    const expected = [S, '```text', exampleAccessText(), '```', '', 'The same link pasted in a channel unfurls for everyone to:', '', '```text', exampleUnfurlText(), '```', E].join('\n');
    let readme = readFileSync(README, 'utf8');
    if (process.env.UPDATE_README === '1') {
      readme = readme.replace(new RegExp(`${S}[\\s\\S]*?${E}`), expected);
      writeFileSync(README, readme);
    }
    expect(readme.slice(readme.indexOf(S), readme.indexOf(E) + E.length)).toBe(expected);
  });

  it('documents every environment variable, in README and .env.example', () => {
    const readme = readFileSync(README, 'utf8');
    const envExample = readFileSync(ENV_EXAMPLE, 'utf8');
    // Keys of the env schema, and variables read as env.NAME.
    const names = [...readFileSync(CONFIG_SRC, 'utf8').matchAll(/^ {2}([A-Z][A-Z0-9_]+): |\benv\.([A-Z][A-Z0-9_]+)/gm)].map((m) => (m[1] ?? m[2])!);
    expect(names.length).toBeGreaterThan(8);
    for (const name of new Set(names)) {
      expect(readme, `README lacks ${name}`).toContain(name);
      expect(envExample, `.env.example lacks ${name}`).toContain(`${name}=`);
    }
  });

  it('gives the two commands a newcomer needs', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
