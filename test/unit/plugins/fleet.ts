/** The fleet the plugin tests share: generated once per test file (about half a second). */
import {
  smallDefaultFleet,
  stratifiedHalves,
  type InMemoryFleet,
  type InMemorySystem,
} from '../../helpers/in-memory-dataset.ts';

let cached: { fleet: InMemoryFleet; train: InMemorySystem[]; test: InMemorySystem[] } | undefined;

/** The small default fleet (80 systems × 10 days at 15 min, 30 % anomalies) and its stratified halves. */
export function sharedFleet(): {
  fleet: InMemoryFleet;
  train: InMemorySystem[];
  test: InMemorySystem[];
} {
  if (!cached) {
    const fleet = smallDefaultFleet();
    cached = { fleet, ...stratifiedHalves(fleet.systems) };
  }
  return cached;
}
