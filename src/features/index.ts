/** Feature extraction over a system's series: public surface of src/features. */
export {
  summarizeSeries,
  percentileOfFinite,
  SUMMARY_CHANNELS,
  CHANNEL_STATISTICS,
  EXTRA_FEATURES,
  SUMMARY_FEATURE_NAMES,
  REST_CURRENT_A,
  type ChannelStatistic,
  type SeriesSummary,
} from './summary.ts';
