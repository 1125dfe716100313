import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino removes from every line. Credentials, tokens and webhook URLs must never reach a log;
 * this is the last line of defence, not the first (handlers should not log them at all).
 */
export const REDACT_PATHS = [
  'password',
  'token',
  'secret',
  'authorization',
  'credentials',
  'accessKeySecret',
  'secretAccessKey',
  'sessionToken',
  'webhookUrl',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.Authorization',
  '*.credentials',
  '*.secretAccessKey',
  '*.SecretAccessKey',
  '*.sessionToken',
  '*.SessionToken',
  '*.webhookUrl',
  '*.headers.authorization',
  '*.headers["x-ir-signature"]',
] as const;

/** Options for {@link createLogger}. */
export interface LoggerSettings {
  readonly service: string;
  readonly level?: string;
  /** Human-readable output; only honoured when stdout is a TTY, so production always logs JSON. */
  readonly pretty?: boolean;
  /** Write somewhere other than stdout (tests capture lines this way). */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * The one pino logger of a service: JSON lines with `service` on each, secrets redacted, ISO time.
 * Use `logger.child({ incidentId, correlationId })` for every line about an incident.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (settings.destination) return pino(options, settings.destination as pino.DestinationStream);
  if (settings.pretty && process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}
