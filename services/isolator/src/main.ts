import { createLogger, exitOnSignals } from '@ir/runtime';
import { createService } from './service.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'isolator', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
const service = await createService(config, { logger });
exitOnSignals(service, logger);
await service.start();
