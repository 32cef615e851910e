/**
 * A window's parent_system_id and per-system metadata come from the id it was cut from, also
 * past window 999 (`-w1000`): re-parsing the id with a 3-digit pattern made `mod12-w1000` its own
 * parent, so a split could put those windows on the other side from the rest of the rack.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importExports } from '../../../../src/data/import/index.ts';
import { validateMapping } from '../../../../src/data/import/mapping.ts';
import { tempDir } from '../../../helpers/run-harness.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bess-import-parent-'));
});
afterAll(() => cleanup());

describe('windows past w999', () => {
  it('name their rack as parent and get the rack’s metadata override', async () => {
    const t0 = Date.UTC(2025, 0, 1);
    // 1003 rows 30 s apart, one per 30 s window: mod12-w000 … mod12-w1002
    const lines = ['ts,U', ...Array.from({ length: 1003 }, (_, i) => `${new Date(t0 + i * 30_000).toISOString()},700`)];
    const file = path.join(dir, 'many.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    const mapping = validateMapping(
      {
        timestamp: { column: 'ts' },
        system: { id: 'mod12', window_days: 30 / 86_400, trailing: 'keep' },
        columns: { voltage_v: 'U' },
        metadata: { operational_mode: 'unknown', systems: { mod12: { chemistry: 'NMC' } } },
      },
      path.join(dir, 'm.json'),
    );
    const r = await importExports({ files: [file], mapping, dataDir: path.join(dir, 'data'), dryRun: true });
    expect(r.metadata).toHaveLength(1003);
    const w1000 = r.metadata.find((m) => m.system_id === 'mod12-w1000');
    expect(w1000).toMatchObject({ parent_system_id: 'mod12', chemistry: 'NMC' });
    expect(new Set(r.metadata.map((m) => m.parent_system_id))).toEqual(new Set(['mod12']));
    expect(r.warnings).toEqual([]);
  });
});
