import { createLogger, exitOnSignals } from '@ir/runtime';
import { SERVICE_NAME, createService } from './app.js';
import { loadDetectionConfig } from './config.js';

/**
 * Entry point: the only place that reads `process.env`. A bad configuration or suppression file
 * stops the process with the reason (exit 1) before any finding is consumed.
 */
try {
  const config = loadDetectionConfig(process.env);
  const service = await createService(config);
  exitOnSignals(service, service.logger);
  await service.start();
} catch (error: unknown) {
  createLogger({ service: SERVICE_NAME }).fatal({ err: error }, 'service_start_failed');
  process.exit(1);
}
