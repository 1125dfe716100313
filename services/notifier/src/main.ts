import { createLogger, errorMessage, exitOnSignals } from '@ir/runtime';
import { loadConfig } from './config.js';
import { createService, SERVICE_NAME } from './service.js';

/** Entry point: the only file that reads `process.env`. Bad config or routing stops the process at start. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  try {
    const service = await createService(config, { logger });
    exitOnSignals(service, logger);
    await service.start();
  } catch (error: unknown) {
    logger.fatal({ error: errorMessage(error) }, 'service_start_failed');
    process.exitCode = 1;
  }
}

await main();
