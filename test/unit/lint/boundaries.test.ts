/**
 * The folder boundaries of .dependency-cruiser.cjs (issue 3/7), run the way `npm run lint` runs
 * them: on a fixture with one deliberate implementation import and one folder cycle (both must be
 * reported), on the same fixture without them (clean), and on the real src/ (clean).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const depcruise = path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const fixtures = path.join(repo, 'test/fixtures/boundaries');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** Cruises `src` of `cwd` with the repo's rules; the violations it reports. */
async function violationsIn(cwd: string): Promise<Violation[]> {
  const args = [
    depcruise,
    'src',
    '--config',
    path.join(repo, '.dependency-cruiser.cjs'),
    '--output-type',
    'json',
  ];
  // depcruise exits non-zero when it finds errors; the JSON on stdout is still the report.
  const stdout = await promisify(execFile)(process.execPath, args, {
    cwd,
    maxBuffer: 64 << 20,
  }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => {
      if (!e.stdout) throw e;
      return e.stdout;
    },
  );
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('folder boundaries (dependency-cruiser)', () => {
  it("reports an import of another folder's implementation file and a cycle between folders", async () => {
    const found = await violationsIn(path.join(fixtures, 'bad'));
    expect(found).toContainEqual(
      expect.objectContaining({
        rule: expect.objectContaining({ name: 'no-cross-folder-implementation' }),
        from: 'src/b/user.ts',
        to: 'src/a/impl.ts',
      }),
    );
    expect(
      found
        .filter((v) => v.rule.name === 'no-folder-cycles')
        .map((v) => `${v.from} -> ${v.to}`)
        .sort(),
    ).toEqual(['src/c -> src/d', 'src/d -> src/c']);
    expect(found).toHaveLength(3);
  });

  it('passes the same fixture without the bad import and the cycle', async () => {
    expect(await violationsIn(path.join(fixtures, 'good'))).toEqual([]);
  });

  it('passes the real src/', async () => {
    expect(await violationsIn(repo)).toEqual([]);
  });
});
