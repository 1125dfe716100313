import { type ServiceName, type ServiceProcess, startServiceProcess } from '@ir/testkit';
import { formatLogLine } from './log-format.js';

/** Starts a service with its log lines formatted, labelled and written by `write`. */
export function startService(
  name: ServiceName,
  index: number,
  env: NodeJS.ProcessEnv,
  write: (line: string) => void,
): ServiceProcess {
  const colour = Boolean(process.stdout.isTTY);
  return startServiceProcess({
    name,
    env,
    onLine: (line) => {
      if (line.trim() === '' || isNodeVersionNotice(line)) return;
      write(formatLogLine(name, index, line, colour));
    },
  });
}

/** The AWS SDK's multi-line notice about Node 20 support: noise in a dev console. */
function isNodeVersionNotice(line: string): boolean {
  return /NodeVersionSupportWarning|versions published after|require node >=22|upgrade to node >=22|a\.co\/c895JFp|--trace-warnings/.test(
    line,
  );
}
