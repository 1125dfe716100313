import { execFile } from 'node:child_process';

/**
 * True when a Docker engine answers `docker info` within `timeoutMs`. A missing CLI, a CLI without an
 * engine behind it, or a hung socket all count as "no Docker", so callers fall back to moto quickly.
 */
export function dockerEngineAnswers(timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['info', '--format', '{{.ServerVersion}}'],
      { timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true },
      (error, stdout) => resolve(error === null && stdout.trim().length > 0),
    );
  });
}
