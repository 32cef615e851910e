import { describe, expect, it } from 'vitest';
import { LocalDateTime, localCandidates, resolveZone, timestampParser, type TimestampSpec } from '../../../../src/data/import/timestamps.ts';

const berlin = resolveZone('Europe/Berlin')!;
const spec = (over: Partial<TimestampSpec> = {}): TimestampSpec => ({ format: 'DD.MM.YYYY HH:mm:ss', zone: berlin, ambiguous: 'infer', nonexistent: 'drop', decimal: '.', ...over });
const iso = (ms: number) => new Date(ms).toISOString();
const ok = (r: ReturnType<ReturnType<typeof timestampParser>>) => {
  if (!r.ok) throw new Error(r.detail);
  return iso(r.ms);
};

describe('time zones', () => {
  it('knows IANA zones, UTC and fixed offsets, and rejects others', () => {
    expect(berlin.offsetAt(Date.UTC(2025, 0, 15))).toBe(60);
    expect(berlin.offsetAt(Date.UTC(2025, 6, 15))).toBe(120);
    expect(resolveZone('+05:30')!.offsetAt(0)).toBe(330);
    expect(resolveZone('UTC')!.offsetAt(0)).toBe(0);
    expect(resolveZone('Mars/Olympus')).toBeUndefined();
  });

  it('finds no instant for a skipped local time and two for a repeated one', () => {
    expect(localCandidates(berlin, Date.UTC(2025, 2, 30, 2, 30))).toEqual([]); // spring forward 02:00 → 03:00
    expect(localCandidates(berlin, Date.UTC(2025, 9, 26, 2, 30)).map(iso)).toEqual(['2025-10-26T00:30:00.000Z', '2025-10-26T01:30:00.000Z']);
    expect(localCandidates(berlin, Date.UTC(2025, 9, 26, 12, 0)).map(iso)).toEqual(['2025-10-26T11:00:00.000Z']);
  });
});

describe('timestampParser', () => {
  it('reads patterns in local time', () => {
    const p = timestampParser(spec());
    expect(ok(p('30.03.2025 01:59:59', undefined))).toBe('2025-03-30T00:59:59.000Z');
    expect(ok(p('30.03.2025 03:00:00', undefined))).toBe('2025-03-30T01:00:00.000Z');
    expect(ok(p('01.07.2025 12:00:00,250', undefined))).toBe('2025-07-01T10:00:00.250Z');
    const y = timestampParser(spec({ format: 'YYYY-MM-DD HH:mm', zone: resolveZone('UTC')! }));
    expect(ok(y('2025-07-01 12:05', undefined))).toBe('2025-07-01T12:05:00.000Z');
  });

  it('drops or shifts a nonexistent local time', () => {
    const r = timestampParser(spec())('30.03.2025 02:30:00', undefined);
    expect(r).toMatchObject({ ok: false, reason: 'nonexistent_local_time' });
    expect(ok(timestampParser(spec({ nonexistent: 'shift' }))('30.03.2025 02:30:00', undefined))).toBe('2025-03-30T01:30:00.000Z');
  });

  it('resolves a repeated local time by policy, or by the previous row (infer)', () => {
    const t = '26.10.2025 02:30:00';
    expect(ok(timestampParser(spec({ ambiguous: 'earlier' }))(t, undefined))).toBe('2025-10-26T00:30:00.000Z');
    expect(ok(timestampParser(spec({ ambiguous: 'later' }))(t, undefined))).toBe('2025-10-26T01:30:00.000Z');
    expect(timestampParser(spec({ ambiguous: 'drop' }))(t, undefined)).toMatchObject({ ok: false, reason: 'ambiguous_local_time' });
    const infer = timestampParser(spec());
    expect(ok(infer(t, Date.UTC(2025, 9, 26, 0, 25)))).toBe('2025-10-26T00:30:00.000Z'); // first pass
    expect(ok(infer(t, Date.UTC(2025, 9, 26, 1, 25)))).toBe('2025-10-26T01:30:00.000Z'); // second pass
    expect(ok(infer('26.10.2025 02:00:00', Date.UTC(2025, 9, 26, 0, 55)))).toBe('2025-10-26T01:00:00.000Z'); // 02:55 CEST → 02:00 CET
  });

  it('reads ISO with and without offsets, and epochs', () => {
    const p = timestampParser(spec({ format: 'iso' }));
    expect(ok(p('2025-06-01T12:00:00.123456+02:00', undefined))).toBe('2025-06-01T10:00:00.123Z');
    expect(ok(p('2025-06-01 12:00:00Z', undefined))).toBe('2025-06-01T12:00:00.000Z');
    expect(ok(p('2025-06-01T12:00:00-0530', undefined))).toBe('2025-06-01T17:30:00.000Z');
    expect(ok(p('2025-06-01T12:00:00', undefined))).toBe('2025-06-01T10:00:00.000Z'); // Berlin local
    const noZone = timestampParser({ ...spec({ format: 'iso' }), zone: undefined });
    expect(noZone('2025-06-01T12:00:00', undefined)).toMatchObject({ ok: false, reason: 'unparsable_timestamp' });
    expect(ok(timestampParser(spec({ format: 'epoch_s', decimal: ',' }))('1748779200,5', undefined))).toBe('2025-06-01T12:00:00.500Z');
    expect(ok(timestampParser(spec({ format: 'epoch_ms' }))(1748779200000, undefined))).toBe('2025-06-01T12:00:00.000Z');
    expect(ok(timestampParser(spec({ format: 'epoch_ms' }))(1748779200000n, undefined))).toBe('2025-06-01T12:00:00.000Z');
    expect(ok(p(new Date(Date.UTC(2025, 5, 1)), undefined))).toBe('2025-06-01T00:00:00.000Z');
  });

  it('rejects what is not a time', () => {
    const p = timestampParser(spec());
    for (const bad of ['', '31.02.2025 10:00:00', '2025-06-01 10:00:00', '01.13.2025 10:00:00', '01.06.2025 24:00:00']) {
      expect(p(bad, undefined)).toMatchObject({ ok: false, reason: 'unparsable_timestamp' });
    }
    expect(timestampParser(spec({ format: 'epoch_s' }))('soon', undefined)).toMatchObject({ ok: false });
  });

  it('refuses instants outside 2000–2099 and names the epoch unit that fits', () => {
    // Milliseconds read as seconds land in the year 56971, seconds read as milliseconds in 1970.
    expect(timestampParser(spec({ format: 'epoch_s' }))('1735689600000', undefined)).toEqual({
      ok: false,
      reason: 'unparsable_timestamp',
      detail: '"1735689600000" as epoch_s is the year 56971, outside 2000–2099: the values look like milliseconds, set timestamp.format to "epoch_ms"',
    });
    expect(timestampParser(spec({ format: 'epoch_ms' }))(1735689600, undefined)).toEqual({
      ok: false,
      reason: 'unparsable_timestamp',
      detail: '1735689600 as epoch_ms is 1970-01-21T02:08:09.600Z, outside 2000–2099: the values look like seconds, set timestamp.format to "epoch_s"',
    });
    expect(timestampParser(spec({ format: 'epoch_s' }))(0, undefined)).toMatchObject({ ok: false, detail: /is the unit \(epoch_s or epoch_ms\) right, or the logger's clock unset/ });
    expect(timestampParser(spec({ format: 'iso' }))('1970-01-01T00:00:00Z', undefined)).toMatchObject({ ok: false, detail: /outside 2000–2099: is the year right/ });
    expect(ok(timestampParser(spec({ format: 'iso' }))('2000-01-01T00:00:00Z', undefined))).toBe('2000-01-01T00:00:00.000Z');
    expect(timestampParser(spec({ format: 'iso' }))('2100-01-01T00:00:00Z', undefined)).toMatchObject({ ok: false });
  });
});

describe('Parquet local times (isAdjustedToUTC=false)', () => {
  const local = (iso: string) => new LocalDateTime(Date.parse(`${iso}Z`));

  it('are wall-clock times in the mapping zone, DST included, whatever the format', () => {
    const p = timestampParser(spec({ format: 'iso' }));
    expect(ok(p(local('2024-07-01T00:00:00'), undefined))).toBe('2024-06-30T22:00:00.000Z');
    expect(ok(timestampParser(spec({ format: 'epoch_ms' }))(local('2024-01-15T12:00:00.250'), undefined))).toBe('2024-01-15T11:00:00.250Z');
    expect(p(local('2024-03-31T02:30:00'), undefined)).toMatchObject({ ok: false, reason: 'nonexistent_local_time', detail: '"2024-03-31T02:30:00" does not exist in Europe/Berlin (skipped by a DST change)' });
    expect(ok(p(local('2024-10-27T02:00:00'), Date.UTC(2024, 9, 27, 0, 55)))).toBe('2024-10-27T01:00:00.000Z');
  });

  it('are refused without a zone, and quoted as wall times', () => {
    const noZone = timestampParser({ ...spec({ format: 'iso' }), zone: undefined });
    expect(noZone(local('2024-07-01T00:00:00'), undefined)).toMatchObject({ ok: false, detail: '"2024-07-01T00:00:00" is a local time (a Parquet timestamp not adjusted to UTC) and the mapping gives no timestamp.timezone' });
    expect(timestampParser(spec({ format: 'iso' }))(local('1970-01-01T12:00:00'), undefined)).toMatchObject({ ok: false, detail: /^"1970-01-01T12:00:00" as iso is 1970-01-01T11:00:00\.000Z, outside 2000–2099/ });
  });
});

describe('elapsed timestamps', () => {
  const origin = Date.UTC(2024, 0, 1);
  const p = timestampParser(spec({ format: 'elapsed', origin }));
  const after = (r: ReturnType<typeof p>) => {
    if (!r.ok) throw new Error(r.detail);
    return r.ms - origin;
  };

  it('reads pandas Timedelta text as str(pd.Timedelta) writes it', () => {
    expect(after(p('0 days 00:00:00', undefined))).toBe(0);
    expect(after(p('0 days 00:00:00.1', undefined))).toBe(100);
    expect(after(p('0 days 00:00:00.100000', undefined))).toBe(100);
    expect(after(p('1 days 02:03:04.5', undefined))).toBe(((26 * 60 + 3) * 60 + 4.5) * 1000);
    expect(after(p('1 day', undefined))).toBe(86_400_000);
    // a negative duration: minus whole days plus a positive time of day
    expect(after(p('-1 days +23:59:59', undefined))).toBe(-1000);
    expect(after(p('-1 days 23:59:59.9', undefined))).toBe(-100);
    expect(after(p('00:01:00', undefined))).toBe(60_000);
    expect(ok(p('0 days 00:15:00', undefined))).toBe('2024-01-01T00:15:00.000Z');
  });

  it('reads seconds as a number or as text, with the mapping decimal', () => {
    expect(after(p(0.1, undefined))).toBe(100);
    expect(after(p(3600n, undefined))).toBe(3_600_000);
    expect(after(p(' 12.25 ', undefined))).toBe(12_250);
    expect(after(p('-1.5', undefined))).toBe(-1500);
    const comma = timestampParser(spec({ format: 'elapsed', origin, decimal: ',' }));
    expect((comma('0,5', undefined) as { ms: number }).ms - origin).toBe(500);
  });

  it('rejects what is neither, saying what it expected', () => {
    for (const bad of ['', 'soon', '0 days 00:61:00', '1 days 2:3', '2024-01-01T00:00:00Z', '0 days 00:00:00.1x', NaN]) {
      const r = p(bad, undefined);
      expect(r.ok, String(bad)).toBe(false);
      if (!r.ok) expect(r.reason).toBe('unparsable_timestamp');
    }
    const r = p('soon', undefined);
    expect(r.ok === false && r.detail).toBe('"soon" is not an elapsed time (seconds, or a pandas Timedelta such as "0 days 00:00:00.1")');
  });
});
