/** Assertion helper: a payload must be within Block Kit limits. */
import { expect } from 'vitest';
import { blockKitViolations } from '../../src/slack/views/limits.js';

/** Fails the test with every violation listed when `payload` breaks a Block Kit limit. */
export function expectValidBlockKit(payload: { blocks?: unknown[]; text?: string }, surface: 'message' | 'view' = 'message'): void {
  expect(blockKitViolations(payload, surface)).toEqual([]);
}

/** All text in a payload, joined (to search what a person would see). */
export function allText(payload: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(payload);
  return out.join('\n');
}
