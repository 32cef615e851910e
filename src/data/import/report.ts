/** The import report: what was written, what was dropped and why, and what was fixed on the way. */
import { formatProblem } from '../../errors.ts';
import { formatTimestamp } from '../csv-write.ts';
import type { ImportResult } from './index.ts';
import { DROP_REASONS } from './transform.ts';

const WHY: Readonly<Record<keyof typeof DROP_REASONS, string>> = {
  malformed_row: 'wrong number of fields',
  missing_system_id: 'empty system id',
  unparsable_timestamp: 'timestamp not in the mapped format, or outside 2000–2099',
  nonexistent_local_time: 'local time skipped by a DST change',
  ambiguous_local_time: 'local time repeated by a DST change (ambiguous: drop)',
  duplicate: 'same system, timestamp and values as an earlier row',
  conflicting_duplicate: 'same system and timestamp as an earlier row, other values (first kept)',
  sentinel: 'sentinel value (mapping) → missing',
  unparsable_value: 'not a number → missing',
  out_of_range: 'outside the physical or mapped range → missing',
};

export function formatImportReport(r: ImportResult, show: (file: string) => string = (f) => f): string {
  const out: string[] = [];
  const rows = r.systems.reduce((a, s) => a + s.timestamps.length, 0);
  const w = r.write;
  const verb = w ? 'imported' : 'would import (dry run, nothing written)';
  out.push(`${verb} ${r.systems.length} system${r.systems.length === 1 ? '' : 's'} (${rows.toLocaleString('en-US')} rows) from ${r.files.length} file${r.files.length === 1 ? '' : 's'} (${r.tally.rowsRead.toLocaleString('en-US')} rows read) into ${show(r.realDir)}`);
  for (const s of r.systems.slice(0, 20)) {
    const meta = r.metadata.find((m) => m.system_id === s.systemId);
    const first = s.timestamps[0]!;
    const last = s.timestamps[s.timestamps.length - 1]!;
    out.push(`  ${s.systemId}  ${s.timestamps.length} rows  ${formatTimestamp(first)} → ${formatTimestamp(last)}  ${meta ? `${meta.operational_mode}, ${meta.season}` : ''}`);
  }
  if (r.systems.length > 20) out.push(`  … and ${r.systems.length - 20} more`);
  if (w) {
    const unchanged = w.unchanged.length > 0 ? `, ${w.unchanged.length} written again unchanged` : '';
    out.push(`  ${w.replaced.length} existing real system(s) replaced${w.replaced.length > 0 ? ` (${w.replaced.slice(0, 10).join(', ')}${w.replaced.length > 10 ? ' …' : ''})` : ''}${unchanged}, ${w.kept} kept`);
    if (w.labelsDropped.length > 0) out.push(`  ${w.labelsDropped.length} label(s) of replaced systems dropped (--drop-labels; recorded in real/labels.history.csv): ${w.labelsDropped.slice(0, 10).join(', ')}${w.labelsDropped.length > 10 ? ' …' : ''}`);
    if (w.labels > 0) out.push(`  ${w.labels} label row(s) merged into real/labels.csv (${w.labelsChanged} new or changed, recorded in real/labels.history.csv)`);
    else out.push('  no labels written: label the systems with `harness label` (or pass --labels FILE)');
  }
  const drops = [...r.tally.drops.values()].sort((a, b) => (DROP_REASONS[a.reason] === DROP_REASONS[b.reason] ? b.count - a.count : DROP_REASONS[a.reason] === 'row' ? -1 : 1));
  if (drops.length === 0) out.push('dropped: nothing');
  else {
    out.push('dropped:');
    const width = Math.max(...drops.map((d) => d.reason.length));
    for (const d of drops) {
      const kind = DROP_REASONS[d.reason] === 'row' ? 'rows  ' : 'values';
      const per = Object.keys(d.sensors).length > 0 ? ` [${Object.entries(d.sensors).map(([s, n]) => `${s} ${n}`).join(', ')}]` : '';
      out.push(`  ${kind} ${d.reason.padEnd(width)} ${String(d.count).padStart(7)}  ${WHY[d.reason]}${per}`);
      if (d.first) out.push(`         first: ${formatProblem(d.first, show)}`);
    }
  }
  const fixed: string[] = [];
  if (r.tally.outOfOrder > 0) fixed.push(`${r.tally.outOfOrder} row(s) out of time order (sorted)`);
  if (r.tally.ambiguousResolved > 0) fixed.push(`${r.tally.ambiguousResolved} ambiguous local time(s) resolved (DST fall-back)`);
  if (r.tally.nonexistentShifted > 0) fixed.push(`${r.tally.nonexistentShifted} nonexistent local time(s) shifted forward (DST spring-forward)`);
  if (fixed.length > 0) out.push(`fixed: ${fixed.join(' · ')}`);
  const st = r.stubs;
  if (st.merged > 0) out.push(`windows: ${st.merged} short last window(s) merged into the window before (${st.mergedRows} rows; system.trailing)`);
  if (st.dropped > 0) out.push(`windows: ${st.dropped} short window(s) dropped (${st.droppedRows} rows; system.trailing, system.min_rows)`);
  // An unnamed column is usually the index pandas writes first.
  for (const [file, cols] of r.tally.ignoredColumns) if (cols.length > 0) out.push(`ignored columns of ${show(file)}: ${cols.map((c) => (c === '' ? '(unnamed)' : c)).join(', ')}`);
  for (const warn of r.warnings) out.push(`warning: ${warn}`);
  return `${out.join('\n')}\n`;
}
