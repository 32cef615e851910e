/** The one definition lives in src/arbitraries/scores.ts (exported to users); kept here under its old name. */
export { labelledScoresArb as labelledScores } from '../../src/arbitraries/scores.ts';
