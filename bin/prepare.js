// npm's prepare and prepack steps, which differ by who runs them:
//
//   node bin/prepare.js          prepare: dist/; then, installed as a dependency, types/; in this
//                                repository, the Python test venv (.ci/setup-python)
//   node bin/prepare.js --pack   prepack: dist/ and types/, written again
//
// Why: types/ (the declarations the package's `types` conditions point at) was written by prepack
// only, and npm installs a git dependency by running `npm install` in a clone (prepare, never
// prepack) and packing that: the package came without types/ and the user's `tsc --noEmit`
// failed with TS7016. The declarations take ~3 s, too much for every `npm ci` of this repository,
// so prepare writes them only when npm prepares the package for someone else: pacote sets
// _PACOTE_NO_PREPARE_ in the clone's install and npm_package_resolved when it packs a folder
// (a git clone, `npm install --install-links <dir>`). The Python venv is this repository's test
// environment: nothing a dependency's install needs.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCompiled } from './compile.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs a program in the package root with this process's output; exits with its code when it fails. */
function run(command, args) {
  const r = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** types/ from tsconfig.build.json, written afresh (a declaration of a deleted module must not linger). */
function writeTypes() {
  rmSync(path.join(ROOT, 'types'), { recursive: true, force: true });
  // --noCheck: emit without type-checking (3 s instead of 16); `npm run lint` checks the same source.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck']);
}

await ensureCompiled(ROOT);
const env = process.env;
if (process.argv.includes('--pack')) writeTypes();
else if (env.npm_command === 'pack') {
  // `npm pack` runs prepack (types/ written) and then prepare: nothing left to do.
} else if (env._PACOTE_NO_PREPARE_ || env.npm_package_resolved) writeTypes();
else spawnSync('bash', ['.ci/setup-python'], { cwd: ROOT, stdio: 'inherit' });
