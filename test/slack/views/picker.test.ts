/** renderPicker: the count it claims is true; more than it shows is said as such. */
import { describe, expect, it } from 'vitest';
import { renderPicker } from '../../../src/slack/views/picker.js';
import { allText, expectValidBlockKit } from '../../support/block-kit.js';

const user = (i: number) => ({ id: `c${String(i).padStart(24, '0')}`, username: `user${i}@example.com`, fullName: `User ${i}`, status: 'ACTIVE' });

describe('renderPicker', () => {
  it('counts the candidates when all are shown', () => {
    const r = renderPicker([user(1), user(2)], 'user');
    expect(r.text).toBe('2 Astro users match "user"');
    expect(allText(r.blocks)).toContain('Which one?');
  });

  it('says "more than 10" and shows ten when the search found more', () => {
    const r = renderPicker(Array.from({ length: 11 }, (_, i) => user(i)), 'user');
    expectValidBlockKit(r);
    expect(r.text).toBe('More than 10 Astro users match "user"');
    expect(allText(r.blocks)).toContain('Type more of the name');
    expect((r.blocks as { accessory?: unknown }[]).filter((b) => b.accessory)).toHaveLength(10);
  });
});
