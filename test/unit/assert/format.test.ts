import { describe, expect, it } from 'vitest';
import {
  bareReason,
  given,
  measured,
  measuredAgainst,
  pValue,
} from '../../../src/assert/format.ts';

describe('format', () => {
  it('measured values get 3 decimals, suite values print as written', () => {
    expect(measured(0.81234)).toBe('0.812');
    expect(measured(null)).toBe('undefined');
    expect(given(0.1 + 0.2)).toBe('0.3');
    expect(given(0.05)).toBe('0.05');
  });
  it('a near miss gets more digits than 3', () => {
    expect(measuredAgainst(0.8996, 0.9)).toBe('0.8996');
    expect(measuredAgainst(0.9, 0.9)).toBe('0.900');
    expect(measuredAgainst(0.812, 0.9)).toBe('0.812');
  });
  it('p-values', () => {
    expect(pValue(0.21)).toBe('= 0.210');
    expect(pValue(0.0003)).toBe('= 0.0003');
    expect(pValue(6.015e-16)).toBe('= 6.0e-16');
    expect(pValue(0.0496, 0.05)).toBe('= 0.0496');
    expect(pValue(0.05, 0.05)).toBe('= 0.050');
  });
  it('drops the metric name the metrics engine puts before a reason', () => {
    expect(bareReason('ROC AUC is undefined: no anomalies (positives) among the samples')).toBe(
      'no anomalies (positives) among the samples',
    );
    expect(bareReason('needs at least 2 anomalies')).toBe('needs at least 2 anomalies');
  });
});
