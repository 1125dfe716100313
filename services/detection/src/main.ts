import { createLogger, exitOnSignals } from '@ir/runtime';
import { loadConfig } from './config.js';
import { createService, SERVICE_NAME } from './service.js';

/**
 * Entry point: the only place that reads `process.env`. A bad configuration or suppression file
 * stops the process with the reason (exit 1) before any finding is consumed.
 */
try {
  const config = loadConfig(process.env);
  const service = await createService(config);
  exitOnSignals(service, service.logger);
  await service.start();
} catch (error: unknown) {
  createLogger({ service: SERVICE_NAME }).fatal({ err: error }, 'service_start_failed');
  process.exit(1);
}
