/**
 * Astro ID format. Astro IDs are CUIDs: `c` then 24 lowercase letters or digits, 25 characters
 * in all (e.g. `clm9sq6s0000008kz7uvl7yz7`). Source: terraform-provider-astro validates user,
 * workspace and deployment IDs with `lucsky/cuid` `IsCuid` (`c[0-9a-z]{24}`); see
 * `shared/notes/astro-api.md` §7.
 */

/** Matches one whole Astro ID. */
export const ASTRO_ID_RE = /^c[0-9a-z]{24}$/;

/** True when `s` is a well-formed Astro ID. */
export function isAstroId(s: string): boolean {
  return ASTRO_ID_RE.test(s);
}
