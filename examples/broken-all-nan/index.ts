/**
 * A deliberately broken model plugin, for `harness check` to catch: it scores a system by how
 * far its mean hottest-cell temperature lies above the training normals' mean. On normal data it
 * works; on a series whose temp_cell_max_c column is present but all NaN (a sensor that died)
 * it divides 0 by 0 and returns NaN. See README.md.
 */
import { defineModel, type ModelPlugin } from 'bess-harness';

/** Mean of the finite readings of a column, 0 when the column is absent. The bug: 0/0 when it is all NaN. */
function meanTemperature(col: Float64Array | undefined): number {
  if (!col) return 0;
  let sum = 0;
  let n = 0;
  for (const v of col) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return sum / n; // BUG: n is 0 when every reading is NaN
}

/** The broken plugin's factory. */
export default function brokenAllNan(): ModelPlugin {
  let baseline = 25;
  return defineModel({
    name: 'broken-all-nan',
    version: '1',
    async fit(train) {
      const normals = train.systems.filter((s) => s.label.label === 'normal');
      const means: number[] = [];
      for (const s of normals) {
        const m = meanTemperature((await s.loadSeries()).sensors.temp_cell_max_c);
        if (Number.isFinite(m) && m !== 0) means.push(m);
      }
      if (means.length > 0) baseline = means.reduce((a, b) => a + b, 0) / means.length;
    },
    score(series) {
      return meanTemperature(series.sensors.temp_cell_max_c) - baseline;
    },
  });
}
