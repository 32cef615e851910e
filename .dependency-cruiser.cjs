/**
 * The folder boundaries of src/ (issue 3/7), checked by `npm run lint`:
 * - a folder uses another folder only through its contract: the `index.ts` (what it offers) or
 *   the `types.ts` (its types) of that folder or of one of its sub-folders; files directly under
 *   src/ (errors.ts, stable-json.ts, …) are leaves anyone may import;
 * - no two folders import each other, directly or around a longer cycle.
 * Each step of the flow then reads the others' contracts, never their implementation files.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-folder-implementation',
      severity: 'error',
      comment:
        "Import another folder's index.ts or types.ts, not one of its implementation files (add the name to its index.ts).",
      from: { path: '^src/([^/]+)/' },
      to: {
        path: '^src/',
        pathNot: ['^src/$1/', '^src/[^/]+\\.ts$', '^src/.+/(index|types)\\.ts$'],
      },
    },
    {
      name: 'plugins-use-the-public-api',
      severity: 'error',
      comment:
        "A built-in baseline imports only the public API ('bess-harness'), so a user can copy it as it is.",
      from: { path: '^plugins/' },
      to: { path: '^src/', pathNot: '^src/index\\.ts$' },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      scope: 'folder',
      comment:
        'Two folders of src/ depend on each other: move the shared contract into a types module of the lower one.',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
