import { authenticator } from 'otplib';

const STEP_SECONDS = 30;
authenticator.options = { step: STEP_SECONDS, window: 1, digits: 6 };

export const generateTotpSecret = (): string => authenticator.generateSecret(20);

export function totpUri(username: string, secret: string): string {
  return authenticator.keyuri(username, '信易贷', secret);
}

/**
 * The time step the code belongs to (within one step of now), or null when it does not match. Callers store the
 * step and refuse any step at or before it, so that a code is accepted once only.
 */
export function matchTotpStep(secret: string, code: string, nowMs: number): number | null {
  const delta = authenticator.clone({ epoch: nowMs }).checkDelta(code, secret);
  if (delta === null) return null;
  return Math.floor(nowMs / 1000 / STEP_SECONDS) + delta;
}

export function currentTotp(secret: string, nowMs: number): string {
  return authenticator.clone({ epoch: nowMs }).generate(secret);
}
