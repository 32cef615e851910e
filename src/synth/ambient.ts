/**
 * Site weather: ambient temperature and a relative-humidity proxy. The temperature is a seasonal
 * mean (from the calendar day) + a diurnal cycle peaking mid-afternoon + weather fronts (an
 * Ornstein–Uhlenbeck process with a timescale of days). Humidity peaks before dawn, when
 * condensation dips the insulation resistance (domain.md §2, §3). Local time is taken as UTC:
 * the synthetic sites sit on the prime meridian, which keeps timestamps and daily shapes aligned.
 */
import type { Climate } from '../data/index.ts';
import { DAY_MS } from './rack.ts';
import type { Rng } from './random.ts';

/** Temperature climate of a site class (°C). */
export interface ClimateProfile {
  /** Annual mean temperature. */
  readonly annualMeanC: number;
  /** Half the summer–winter swing of the daily mean. */
  readonly annualAmpC: number;
  /** Range of the day–night swing (peak to trough), drawn per day. */
  readonly diurnalRangeC: readonly [number, number];
  /** Standard deviation of the weather-front anomaly. */
  readonly frontSdC: number;
  /** Mean relative humidity, 0–1. */
  readonly humidity: number;
}

/** Climate classes: a mid-latitude site, a hot-arid one and a cold continental one. */
export const CLIMATE_PROFILES: Readonly<Record<Climate, ClimateProfile>> = {
  temperate: {
    annualMeanC: 11,
    annualAmpC: 10,
    diurnalRangeC: [5, 11],
    frontSdC: 3,
    humidity: 0.68,
  },
  hot: { annualMeanC: 24, annualAmpC: 9, diurnalRangeC: [9, 15], frontSdC: 2.5, humidity: 0.45 },
  cold: { annualMeanC: 2, annualAmpC: 14, diurnalRangeC: [5, 10], frontSdC: 4, humidity: 0.72 },
};

/** Physical clamp of the modelled ambient (°C); see bounds.ts. */
export const AMBIENT_RANGE_C: readonly [number, number] = [-35, 48];

/** Ambient series of one site. */
export interface AmbientSeries {
  readonly temperatureC: Float64Array;
  /** Relative humidity 0–1. */
  readonly humidity: Float64Array;
}

/** Hour of day (0–24, UTC = local) of an epoch-ms instant. */
export function hourOfDay(ms: number): number {
  return (((ms % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
}

/** Day of year (0-based, fractional) of an epoch-ms instant. */
export function dayOfYear(ms: number): number {
  const d = new Date(ms);
  return (ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS;
}

/** Daily-mean temperature of a climate on a day of the year; coldest in mid-January. */
export function seasonalMeanC(climate: Climate, doy: number): number {
  const p = CLIMATE_PROFILES[climate];
  return p.annualMeanC - p.annualAmpC * Math.cos((2 * Math.PI * (doy - 15)) / 365.25);
}

/** One AR(1) step of a unit-variance Ornstein–Uhlenbeck process with correlation `a` per step. */
export function ouStep(x: number, a: number, rng: Rng): number {
  return a * x + Math.sqrt(1 - a * a) * rng.normal();
}

/** Ambient temperature and humidity for `samples` samples from `startMs`. */
export function ambientSeries(
  climate: Climate,
  startMs: number,
  samples: number,
  intervalSeconds: number,
  rng: Rng,
): AmbientSeries {
  const p = CLIMATE_PROFILES[climate];
  const temperatureC = new Float64Array(samples);
  const humidity = new Float64Array(samples);
  const aFront = Math.exp(-intervalSeconds / (3 * 86400));
  const aWet = Math.exp(-intervalSeconds / (2 * 86400));
  let front = rng.normal();
  let wet = rng.normal();
  let day = -1;
  let range = 0;
  const doy0 = dayOfYear(startMs);
  for (let i = 0; i < samples; i++) {
    const ms = startMs + i * intervalSeconds * 1000;
    const d = Math.floor(ms / DAY_MS);
    if (d !== day) {
      day = d;
      range = rng.uniform(p.diurnalRangeC[0], p.diurnalRangeC[1]);
    }
    front = ouStep(front, aFront, rng);
    wet = ouStep(wet, aWet, rng);
    const h = hourOfDay(ms);
    // +1 at 15:00, −1 at 03:00.
    const diurnal = Math.cos((2 * Math.PI * (h - 15)) / 24);
    // Wet spells narrow the day–night swing (cloud cover).
    const wetness = Math.max(0, wet);
    const t =
      seasonalMeanC(climate, doy0 + (i * intervalSeconds) / 86400) +
      (range / 2) * diurnal * (1 - 0.3 * Math.min(1, wetness)) +
      p.frontSdC * front;
    temperatureC[i] = Math.min(AMBIENT_RANGE_C[1], Math.max(AMBIENT_RANGE_C[0], t));
    humidity[i] = Math.min(1, Math.max(0.05, p.humidity - 0.18 * diurnal + 0.12 * wet));
  }
  return { temperatureC, humidity };
}
