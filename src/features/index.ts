/** Feature extraction over a system's series: public surface of src/features. */
export {
  summarizeSeries,
  estimateCellsInSeries,
  percentileOfFinite,
  SUMMARY_CHANNELS,
  SUMMARY_FEATURES,
  SUMMARY_FEATURE_NAMES,
  SUMMARY_FEATURE_DIRECTIONS,
  REST_C_RATE,
  LOAD_C_RATE,
  REST_CURRENT_A,
  type ChannelStatistic,
  type FeatureDirection,
  type SummaryFeature,
  type SeriesSummary,
  type SummaryChannel,
  type SummaryContext,
} from './summary.ts';
