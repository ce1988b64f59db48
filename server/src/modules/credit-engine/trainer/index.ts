/** The scorecard trainer: pure modules (no database), for the `credit:train` command and the platform's own training. */
export { TrainingInputError } from './errors';
export { parseArff, parseCsv, readTableFile, type TCell, type TTable } from './table';
export { trainScorecard, type TTrainOptions, type TTrainReport, type TFeatureReport } from './train';
export { formatTrainReport } from './report';
export { auc, gini, ks, psi, meanSd } from './metrics';
