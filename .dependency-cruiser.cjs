/**
 * Architecture rules, checked in CI with dependency-cruiser (https://github.com/sverweij/dependency-cruiser):
 * `npm run lint:arch`. The layers: core ← astro, store ← lookup ← app ← slack (listeners, views,
 * transport), server ← compose. Type-only imports are erased at build time; views may name the
 * data shapes they draw (Astro's parsed types, the use cases' results) but load no code below them.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycle anywhere in src/.', from: { path: '^src' }, to: { circular: true } },
    {
      name: 'core-imports-nothing',
      severity: 'error',
      comment: 'src/core holds domain types and pure rules: it imports nothing of the project.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'astro-knows-no-slack',
      severity: 'error',
      comment: 'The Astro client knows nothing of Slack, the use cases or the server.',
      from: { path: '^src/astro/' },
      to: { path: ['^src/(slack|server|app|lookup|store)/', '^src/compose\\.ts$', '@slack/'] },
    },
    {
      name: 'lower-layers-stay-below',
      severity: 'error',
      comment: 'lookup and store serve the use cases; they import no use case, Slack code or server.',
      from: { path: '^src/(lookup|store)/' },
      to: { path: ['^src/(slack|server|app)/', '^src/compose\\.ts$', '@slack/bolt'] },
    },
    {
      name: 'app-knows-no-slack',
      severity: 'error',
      comment: 'Use cases reach Slack only through the SlackDirectory port (src/app/ports.ts).',
      from: { path: '^src/app/' },
      to: { path: ['^src/(slack|server)/', '^src/compose\\.ts$', '@slack/'] },
    },
    {
      name: 'views-are-pure',
      severity: 'error',
      comment: 'Views turn data into Block Kit: no I/O, and no code of stores, the Astro client, lookups or use cases.',
      from: { path: '^src/slack/views/' },
      to: {
        path: ['^src/(astro|store|lookup|app|server)/', '^src/slack/(?!views/)', '^src/compose\\.ts$', '^(node:)?(fs|http|https|net|dns|child_process)$', '^(undici|keyv|@keyv/.*|@slack/web-api|@slack/bolt)$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'listeners-call-use-cases',
      severity: 'error',
      comment: 'A listener parses, calls one use case, renders and replies: it reaches no store, lookup or Astro client itself.',
      from: { path: '^src/slack/listeners/' },
      to: { path: ['^src/(store|lookup)/', '^src/astro/(?!token\\.ts$)', '^src/compose\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};
