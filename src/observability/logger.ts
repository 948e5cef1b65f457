// pino logger with redact paths for every secret-bearing field: no token, code, secret or key is ever logged.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Field paths pino blanks out wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token',
  'apiKey',
  'api_key',
  'secret',
  'code',
  'pairingCode',
  'signature',
  'authorization',
  'password',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.app_secret',
  '*.access_token',
  '*.verify_token',
  '*.authorization',
  '*.password',
  'headers.authorization',
  'headers["x-pairing-code"]',
  'headers["x-webhook-secret"]',
  'headers["x-hub-signature-256"]',
  'req.headers.authorization',
  'req.headers["x-pairing-code"]',
  'req.headers["x-webhook-secret"]',
  'req.headers["x-hub-signature-256"]',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stdout. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing, for unit tests and commands that must stay quiet. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
