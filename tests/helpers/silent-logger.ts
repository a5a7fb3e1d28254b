/** A real pino logger that writes nowhere, for tests. */
import { pino } from 'pino';
import type { Logger } from '../../core/logger.ts';

export const silentLogger: Logger = pino({ level: 'silent' });
