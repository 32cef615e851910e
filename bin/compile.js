// The harness's TypeScript (src/, plugins/) as JavaScript in dist/, each file beside where its
// source sits (dist/src/runner/pool.js for src/runner/pool.ts), with the other files the code
// reads beside itself (the label app's page, the worker entries).
//
// Why: the CLI and every scoring worker used to import the harness through tsx's loader hooks,
// which run on a thread of their own; each of the ~250 modules was a round trip of messages to
// it. That was half the CPU of a `harness run` on a small fleet (3.0 s, of which 1.4 s in the
// hooks' threads). Compiled, the harness loads natively, and tsx's hooks are registered only
// when a user's module is imported (src/module/load-user-module.ts).
//
// No build step to forget: `ensureCompiled()` (bin/harness.js, the tests' global setup) compares
// the sources with the stamp of the last compile and compiles again when they differ. The stamp
// keeps two keys: the sources' sizes and times (5 ms to check) and, when those differ (a fresh
// clone, an unpacked tarball), a hash of their bytes (15 ms) before anything is compiled.
// Every file is written to a temporary name and renamed: two processes compiling at once write
// the same bytes, and a reader never sees half a file.
//
//   node bin/compile.js           compiles when the sources changed (npm's prepare, prepack, pretest)
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The compiled tree's folder, inside the package. */
export const DIST = path.join(ROOT, 'dist');
/** The source folders compiled, relative to the package root. */
const SOURCES = ['src', 'plugins'];
const STAMP = path.join(DIST, '.stamp.json');
/** Bumped when this compiler changes what it writes: a dist/ of an older compiler is compiled again. */
const COMPILER = 1;
const COMPILED = /\.(ts|tsx)$/;

/** Every file under the source folders, as paths relative to the root, sorted. */
function sourceFiles() {
  const files = [];
  for (const dir of SOURCES) {
    for (const e of readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || e.name.endsWith('.d.ts')) continue;
      files.push(path.relative(ROOT, path.join(e.parentPath ?? e.path, e.name)));
    }
  }
  return files.sort();
}

const sha1 = (text) => createHash('sha1').update(text).digest('hex');

/** The sources' names, sizes and modification times, hashed. */
function timesKey(files) {
  return sha1(
    files
      .map((f) => {
        const st = statSync(path.join(ROOT, f));
        return `${f}\0${st.size}\0${st.mtimeMs}`;
      })
      .join('\n') + `\n${COMPILER}`,
  );
}

/** The sources' names and bytes, hashed. */
function bytesKey(files) {
  const h = createHash('sha1');
  for (const f of files) h.update(`${f}\0`).update(readFileSync(path.join(ROOT, f)));
  return h.update(`\n${COMPILER}`).digest('hex');
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes `text` to `file` through a temporary name: whole or not at all. */
function writeWhole(file, text) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * The specifier a compiled file imports for `spec`: a relative `.ts`/`.tsx` path becomes `.js`
 * (its compiled twin), anything else is left as written.
 */
const compiledSpecifier = (spec) =>
  spec.startsWith('.') && COMPILED.test(spec) ? spec.replace(COMPILED, '.js') : spec;

/** Compiles every source file into dist/ and writes the stamp. */
async function compile(files, stamp) {
  const { build } = await import('esbuild');
  const entries = files.filter((f) => COMPILED.test(f));
  const result = await build({
    entryPoints: entries.map((f) => path.join(ROOT, f)),
    outdir: DIST,
    outbase: ROOT,
    // bundle: true only so that the plugin below sees every import; each one stays external.
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    logLevel: 'silent',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    plugins: [
      {
        name: 'keep-imports',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) =>
            args.kind === 'entry-point'
              ? undefined
              : { path: compiledSpecifier(args.path), external: true },
          );
        },
      },
    ],
  });
  for (const out of result.outputFiles) writeWhole(out.path, out.contents);
  // The files the code reads beside itself (the page the label app serves, the worker entries).
  for (const f of files.filter((f) => !COMPILED.test(f))) {
    const to = path.join(DIST, f);
    mkdirSync(path.dirname(to), { recursive: true });
    const tmp = `${to}.tmp-${process.pid}`;
    copyFileSync(path.join(ROOT, f), tmp);
    renameSync(tmp, to);
  }
  // A compiled file whose source is gone would be importable still: removed.
  const wanted = new Set(files.map((f) => path.join(DIST, f.replace(COMPILED, '.js'))));
  for (const dir of SOURCES) {
    let found;
    try {
      found = readdirSync(path.join(DIST, dir), { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of found) {
      const p = path.join(e.parentPath ?? e.path, e.name);
      if (e.isFile() && !wanted.has(p) && !p.includes('.tmp-')) rmSync(p, { force: true });
    }
  }
  writeWhole(STAMP, `${JSON.stringify(stamp)}\n`);
}

/**
 * Makes dist/ hold the compiled sources as they are now; true when it compiled. A package
 * installed from its tarball has dist/ compiled when it was packed: its sources' times differ
 * (npm sets them on unpacking), their bytes do not, and nothing is compiled.
 */
export async function ensureCompiled() {
  const files = sourceFiles();
  const stamp = readStamp();
  const times = timesKey(files);
  if (stamp?.times === times) return false;
  const bytes = bytesKey(files);
  if (stamp?.bytes === bytes) {
    // Same sources, other times: remembered, so the next start needs the quick check only
    // (where dist/ cannot be written, as in a read-only install, the check stays the slow one).
    try {
      writeWhole(STAMP, `${JSON.stringify({ ...stamp, times })}\n`);
    } catch {}
    return false;
  }
  await compile(files, { compiler: COMPILER, times, bytes });
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const compiled = await ensureCompiled();
  process.stdout.write(
    compiled
      ? `compiled src/ and plugins/ into dist/ (${Math.round(performance.now() - t0)} ms)\n`
      : 'dist/ is up to date\n',
  );
}
