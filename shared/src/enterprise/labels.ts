/** An enterprise's scale and registration status with their Chinese labels, free of any schema library. */
export const ENTERPRISE_SCALES = ['micro', 'small', 'medium'] as const;
export const SCALE_LABELS: Record<(typeof ENTERPRISE_SCALES)[number], string> = { micro: '微型', small: '小型', medium: '中型' };
export const ENTERPRISE_STATUSES = ['active', 'revoked', 'cancelled', 'abnormal'] as const;
export const ENTERPRISE_STATUS_LABELS: Record<(typeof ENTERPRISE_STATUSES)[number], string> = {
  active: '存续',
  revoked: '吊销',
  cancelled: '注销',
  abnormal: '经营异常',
};
