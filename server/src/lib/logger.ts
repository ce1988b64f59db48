import pino from 'pino';

/** Paths that must never reach a log line: credentials, tokens, identity numbers and phone numbers. */
const REDACT = [
  'password',
  '*.password',
  '*.newPassword',
  '*.oldPassword',
  '*.totp',
  '*.token',
  '*.code',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.legalRepIdNumber',
  '*.idNumber',
  '*.mobile',
  '*.sessionKey',
  '*.secret',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined };
  return destination ? pino(options, destination) : pino(options);
}
