import { createLogger, errorMessage, exitOnSignals } from '@ir/runtime';
import { createService, SERVICE_NAME } from './app.js';
import { loadNotifierConfig } from './config.js';

/** Entry point: the only file that reads `process.env`. Bad config or routing stops the process at start. */
async function main(): Promise<void> {
  const config = loadNotifierConfig(process.env);
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
