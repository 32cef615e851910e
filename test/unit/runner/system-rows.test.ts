import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/load-dataset.ts';
import { recordsOf, rowsOf } from '../../../src/runner/system-rows.ts';
import { tempDir, writeDataDir } from '../data/fixture.ts';

describe('systems sent to a worker as their rows', () => {
  it('make the same records as loadDataset: rows, and series read from the same folder', async () => {
    const dir = await tempDir();
    await writeDataDir(dir, { synthetic: 3, real: 2 });
    const ds = await loadDataset({ dataDir: dir });
    // What a worker receives: a structured clone of the rows, as postMessage makes it.
    const received = structuredClone(ds.systems.map(rowsOf));
    const made = recordsOf(received, structuredClone({ dataDir: dir, snapshots: ds.snapshots }));
    expect(made.map((r) => [r.systemId, r.source])).toEqual(
      ds.systems.map((r) => [r.systemId, r.source]),
    );
    expect(made.map((r) => r.metadata)).toEqual(ds.systems.map((r) => r.metadata));
    expect(made.map((r) => r.label)).toEqual(ds.systems.map((r) => r.label));
    for (const [k, r] of made.entries()) {
      const [a, b] = await Promise.all([r.loadSeries(), ds.systems[k]!.loadSeries()]);
      expect(a.timestamps).toEqual(b.timestamps);
      expect(a.sensors).toEqual(b.sensors);
      expect(a.source).toBe(r.source);
    }
  });
});
