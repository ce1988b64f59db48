import { authenticator } from 'otplib';

authenticator.options = { step: 30, window: 1, digits: 6 };

export const generateTotpSecret = (): string => authenticator.generateSecret(20);

export function totpUri(username: string, secret: string): string {
  return authenticator.keyuri(username, '信易贷', secret);
}

export function checkTotp(secret: string, code: string, nowMs: number): boolean {
  const instance = authenticator.clone({ epoch: nowMs });
  return instance.check(code, secret);
}

export function currentTotp(secret: string, nowMs: number): string {
  return authenticator.clone({ epoch: nowMs }).generate(secret);
}
