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
  existsSync,
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

/** This package's root folder. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The source folders compiled, relative to the package root. */
const SOURCES = ['src', 'plugins'];
/** The compiled tree's folder, inside the package root, and the stamp of what it was compiled from. */
const distOf = (root) => path.join(root, 'dist');
const stampOf = (root) => path.join(distOf(root), '.stamp.json');
/** Bumped when this compiler changes what it writes: a dist/ of an older compiler is compiled again. */
const COMPILER = 1;
const COMPILED = /\.(ts|tsx)$/;

/** Every file under the source folders, as paths relative to the root, sorted. */
function sourceFiles(root) {
  const files = [];
  for (const dir of SOURCES) {
    for (const e of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || e.name.endsWith('.d.ts')) continue;
      files.push(path.relative(root, path.join(e.parentPath ?? e.path, e.name)));
    }
  }
  return files.sort();
}

const sha1 = (text) => createHash('sha1').update(text).digest('hex');

/** The sources' names, sizes and modification times, hashed. */
function timesKey(root, files) {
  return sha1(
    files
      .map((f) => {
        const st = statSync(path.join(root, f));
        return `${f}\0${st.size}\0${st.mtimeMs}`;
      })
      .join('\n') + `\n${COMPILER}`,
  );
}

/** The sources' names and bytes, hashed. */
function bytesKey(root, files) {
  const h = createHash('sha1');
  for (const f of files) h.update(`${f}\0`).update(readFileSync(path.join(root, f)));
  return h.update(`\n${COMPILER}`).digest('hex');
}

function readStamp(root) {
  try {
    return JSON.parse(readFileSync(stampOf(root), 'utf8'));
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

/** True when a process with this pid runs. */
function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Compiles every source file into dist/ and writes the stamp. */
async function compile(root, files, stamp) {
  const { build } = await import('esbuild');
  const dist = distOf(root);
  const entries = files.filter((f) => COMPILED.test(f));
  const tsconfig = path.join(root, 'tsconfig.json');
  const result = await build({
    entryPoints: entries.map((f) => path.join(root, f)),
    outdir: dist,
    outbase: root,
    // bundle: true only so that the plugin below sees every import; each one stays external.
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    logLevel: 'silent',
    ...(existsSync(tsconfig) ? { tsconfig } : {}),
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
  for (const f of files.filter((f) => !COMPILED.test(f)))
    writeWhole(path.join(dist, f), readFileSync(path.join(root, f)));
  // A compiled file whose source is gone would be importable still: removed.
  const wanted = new Set(files.map((f) => path.join(dist, f.replace(COMPILED, '.js'))));
  for (const dir of SOURCES) {
    let found;
    try {
      found = readdirSync(path.join(dist, dir), { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of found) {
      const p = path.join(e.parentPath ?? e.path, e.name);
      if (!e.isFile() || wanted.has(p)) continue;
      // Another compile's file being written is left to it; one of a compile that was killed goes.
      const writer = /\.tmp-(\d+)$/.exec(p);
      if (!writer || !isRunning(Number(writer[1]))) rmSync(p, { force: true });
    }
  }
  writeWhole(stampOf(root), `${JSON.stringify(stamp)}\n`);
}

/**
 * Makes dist/ hold the compiled sources as they are now; true when it compiled. A package
 * installed from its tarball has dist/ compiled when it was packed: its sources' times differ
 * (npm sets them on unpacking), their bytes do not, and nothing is compiled.
 */
export async function ensureCompiled(root = ROOT) {
  const files = sourceFiles(root);
  const stamp = readStamp(root);
  const times = timesKey(root, files);
  if (stamp?.times === times) return false;
  const bytes = bytesKey(root, files);
  if (stamp?.bytes === bytes) {
    // Same sources, other times: remembered, so the next start needs the quick check only
    // (where dist/ cannot be written, as in a read-only install, the check stays the slow one).
    try {
      writeWhole(stampOf(root), `${JSON.stringify({ ...stamp, times })}\n`);
    } catch {}
    return false;
  }
  await compile(root, files, { compiler: COMPILER, times, bytes });
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
