import { createLogger, exitOnSignals } from '@ir/runtime';
import { createService } from './service.js';
import { loadConfig } from './config.js';

/** Entry point: the only place that reads `process.env`. */
const config = loadConfig(process.env);
const logger = createLogger({ service: 'forensics', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
const service = await createService(config, { logger });
exitOnSignals(service, logger);
await service.start();
