/** Structured logging with pino. Components get a child logger: `logger.child({ component: 'poller' })`. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  // Logs go to stderr so that CLI commands can print results on stdout.
  return pino({ level, base: { app: 'narrative-monitor' } }, pino.destination(2));
}
