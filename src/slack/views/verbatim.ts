/**
 * Marks every mrkdwn text object `verbatim: true`, so Slack does not auto-link or parse mentions
 * in plain text such as a name written `@channel` or `#general` (Block Kit text object:
 * "verbatim: when false, URLs are auto-converted into links, conversation names are link-ified
 * and certain mentions are automatically parsed"). Our own explicit `<@U…>` and `<!date^…>`
 * still render. Pure; returns a copy.
 */
export function verbatim<T>(payload: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      if (out.type === 'mrkdwn' && typeof out.text === 'string') out.verbatim = true;
      return out;
    }
    return v;
  };
  return walk(payload) as T;
}
