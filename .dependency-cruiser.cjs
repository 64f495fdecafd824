/**
 * The layering of src/, checked by `npm run lint` (docs/architecture.md draws the same picture).
 * Each folder sits on a layer; an import may go to its own layer or below, never above, and no
 * import chain may come back to where it started (type-only imports count: a type owned higher
 * up moves down). Front ends (cli, web, milter) sit side by side on top and never import each
 * other, except that the command starting one (cli/commands/web.ts) imports its server.ts; a
 * command file never imports another command file.
 *
 *   6  cli  web  milter                                   front ends
 *   5  app                                                configuration, composition root, scheduler
 *   4  jobs                                               the use cases
 *   3  deliver  analyze  receiver  sources  store          steps (store is the floor of this layer)
 *   2  report  dmarc  extract  mail  platform              formats (read and written), the DMARC record, pure steps, real adapters
 *   1  ports  errors.ts  limits.ts  types                  narrow interfaces, error classes, every cap
 *                                                         and tunable, types shared by every layer
 */
const LAYERS = [
  ['ports', 'errors\\.ts', 'limits\\.ts', 'types'],
  ['report', 'dmarc', 'extract', 'mail', 'platform'],
  ['deliver', 'analyze', 'receiver', 'sources', 'store'],
  ['jobs'],
  ['app'],
  ['cli', 'web', 'milter'],
];
const folder = (names) => `^src/(${names.join('|')})(/|$)`;

const upward = LAYERS.slice(0, -1).map((names, index) => ({
  name: `layer-${index + 1}-imports-upward`,
  comment: `${names.join(', ')} (layer ${index + 1}) may import only its own layer and those below`,
  severity: 'error',
  from: { path: folder(names) },
  to: { path: folder(LAYERS.slice(index + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'every-module-sits-on-a-layer',
      comment: 'a new folder or top-level file of src/ must be placed on a layer (LAYERS above) before it imports anything',
      severity: 'error',
      from: { path: '^src/', pathNot: folder(LAYERS.flat()) },
      to: { path: '^src/' },
    },
    {
      name: 'no-circular',
      comment: 'an import chain comes back to where it started (type-only imports included)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'store-is-the-floor-of-its-layer',
      comment: 'store holds data; it never imports the steps that read it',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: folder(['deliver', 'analyze', 'receiver', 'sources']) },
    },
    {
      name: 'analyze-and-receiver-are-independent',
      comment: 'reading reports and receiving mail share the DMARC record (dmarc/) and the format (report/), not each other',
      severity: 'error',
      from: { path: '^src/(analyze|receiver)/' },
      to: { path: '^src/(analyze|receiver)/', pathNot: '^src/$1/' },
    },
    {
      name: 'sources-read-only-what-is-below',
      comment: 'sources produce inputs; they do not analyse, deliver or verify',
      severity: 'error',
      from: { path: '^src/sources/' },
      to: { path: folder(['deliver', 'analyze', 'receiver']) },
    },
    {
      name: 'analysis-does-not-render',
      comment: 'analyze and receiver return values; deliver turns them into words',
      severity: 'error',
      from: { path: folder(['analyze', 'receiver']) },
      to: { path: '^src/deliver/' },
    },
    {
      name: 'front-ends-do-not-import-each-other',
      severity: 'error',
      from: { path: '^src/(cli|web|milter)/', pathNot: '^src/cli/commands/(web|milter)\\.ts$' },
      to: { path: '^src/(cli|web|milter)/', pathNot: '^src/$1/' },
    },
    {
      name: 'a-front-end-is-started-through-its-entry',
      comment: 'the command that starts a front end (ruaflow web, ruaflow milter) imports its server.ts and nothing else of it',
      severity: 'error',
      from: { path: '^src/cli/commands/(web|milter)\\.ts$' },
      to: { path: '^src/(web|milter)/', pathNot: '^src/$1/server\\.ts$' },
    },
    {
      name: 'a-command-does-not-import-another',
      severity: 'error',
      from: { path: '^src/cli/commands/([^/]+)\\.ts$' },
      to: { path: '^src/cli/commands/', pathNot: '^src/cli/commands/$1\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // swc reads the TypeScript sources and reports `import type` lines as dependencies too (the
    // probe in docs/architecture.md shows a type-only upward import failing). dependency-cruiser's
    // own tsc route needs TypeScript's JavaScript API, which TypeScript 7.0 (our compiler) lacks.
    parser: 'swc',
    tsPreCompilationDeps: false,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
