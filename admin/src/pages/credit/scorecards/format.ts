import type { TFeatureCondition, TScorecard, TScorecardTraining } from '@xyd/shared';
import { ENTERPRISE_STATUS_LABELS, PLATFORM_FEATURES, SCALE_LABELS } from '@xyd/shared';

/** How the scorecard pages write figures and conditions. */

export const KIND_LABELS: Record<TScorecard['kind'], string> = { expert: '专家评分卡', trained: '训练评分卡' };

/** PSI below 0.1 is stable, to 0.25 a shift worth watching, above 0.25 a shift that needs a look before activating. */
export const PSI_WATCH = 0.1;
export const PSI_ALERT = 0.25;

export function psiLevel(psi: number | null): 'stable' | 'watch' | 'alert' | null {
  if (psi === null || !Number.isFinite(psi)) return null;
  return psi > PSI_ALERT ? 'alert' : psi > PSI_WATCH ? 'watch' : 'stable';
}

/** AUC, KS, Gini and PSI with three decimals. */
export function formatMetric(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(3);
}

/** The figures a version list shows: cross-validated where the trainer ran it, else the held-out split. */
export function headlineMetrics(training: TScorecardTraining | null | undefined): string {
  if (!training) return '-';
  const auc = training.crossValidation?.auc ?? training.holdout?.auc;
  const ks = training.crossValidation?.ks ?? training.holdout?.ks;
  if (auc === undefined && ks === undefined) return '-';
  return `AUC ${formatMetric(auc)} · KS ${formatMetric(ks)}`;
}

const VALUE_LABELS: Record<string, Record<string, string>> = { businessStatus: ENTERPRISE_STATUS_LABELS, scale: SCALE_LABELS };

function valueText(feature: string, value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'string') return VALUE_LABELS[feature]?.[value] ?? value;
  return String(value);
}

/** A hard rule's condition in words: `在黑名单中 = 是`, `登记状态 为 吊销、注销 之一`. */
export function describeCondition(c: TFeatureCondition, card: Pick<TScorecard, 'characteristics'>): string {
  const label = card.characteristics.find((x) => x.feature === c.feature)?.label ?? PLATFORM_FEATURES[c.feature]?.label ?? c.feature;
  const parts: string[] = [];
  if (c.equals !== undefined) parts.push(`= ${valueText(c.feature, c.equals)}`);
  if (c.in !== undefined) parts.push(`为 ${c.in.map((v) => valueText(c.feature, v)).join('、')} 之一`);
  if (c.gte !== undefined) parts.push(`≥ ${c.gte}`);
  if (c.lte !== undefined) parts.push(`≤ ${c.lte}`);
  return `${label} ${parts.join(' 且 ')}`;
}

/** Reads a picked file as text (FileReader: works in every browser the console supports). */
export function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsText(file, 'utf-8');
  });
}
