/** The example card shown in README.md: the renderer's output for the ADA fixture, at a fixed time. */
import { AstroUserSchema } from '../../src/astro/schemas.js';
import { renderUserCard } from '../../src/slack/views/user-card.js';
import { ADA } from '../support/fixtures.js';

/** 2026-06-01T12:00:00Z, the "as of" time of the README example. */
export const EXAMPLE_FETCHED_AT = Date.UTC(2026, 5, 1, 12, 0, 0);

/** `{ blocks }` of the README example card. */
export function exampleCard(): { blocks: unknown[] } {
  return { blocks: renderUserCard(AstroUserSchema.parse(ADA), { surface: 'message', fetchedAt: EXAMPLE_FETCHED_AT }).blocks };
}

/** A link that opens `payload` in Slack's Block Kit Builder. */
export function blockKitBuilderUrl(payload: unknown): string {
  return `https://app.slack.com/block-kit-builder#${encodeURIComponent(JSON.stringify(payload))}`;
}
