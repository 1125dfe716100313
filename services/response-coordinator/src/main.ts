import { loadPlaybooks } from '@ir/playbooks';
import { createLogger, exitOnSignals } from '@ir/runtime';
import { createService, SERVICE_NAME } from './service.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
// Load playbooks before anything starts: a bad user playbook must stop the start, naming the file.
const playbooks = await loadPlaybooks(config.IR_PLAYBOOKS_DIR ? { userDir: config.IR_PLAYBOOKS_DIR } : {});
const service = await createService(config, { logger, playbooks });
exitOnSignals(service, logger);
await service.start();
