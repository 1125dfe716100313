import { dockerEngineAnswers } from './emulator/docker.js';
import { DEFAULT_LOCALSTACK_IMAGE, startLocalStack } from './emulator/localstack.js';
import { ensureMotoVenv, motoVenvDir } from './emulator/moto-venv.js';
import { startMotoServer } from './emulator/moto-server.js';
import { postReset, RESET_PATHS } from './emulator/reset.js';
import { EmulatorError, TestkitError } from './errors.js';

/** Which emulator serves the AWS APIs: one the caller runs (`AWS_ENDPOINT_URL`), or one we started. */
export type AwsEmulatorKind = 'external' | 'localstack' | 'moto';

/** A running AWS emulator. */
export interface AwsEmulator {
  /** Base URL for every SDK client (`endpoint` in the client config). */
  readonly endpoint: string;
  readonly kind: AwsEmulatorKind;
  /** The emulator's process when this process started it (moto), for reading its memory. */
  readonly pid?: number | undefined;
  /**
   * Wipes every account's state. For `external` it tries moto's then LocalStack's reset API and does
   * nothing when neither answers (a real endpoint is never wiped).
   */
  reset(): Promise<void>;
  /** Stops an emulator we started and waits for it; a no-op for `external`. */
  stop(): Promise<void>;
}

export interface StartAwsEmulatorOptions {
  /**
   * Read for `AWS_ENDPOINT_URL`, `IR_AWS_EMULATOR` (`moto` | `localstack`, skips detection),
   * `IR_LOCALSTACK_IMAGE`, `LOCALSTACK_AUTH_TOKEN`, `IR_MOTO_VENV`, `IR_PYTHON`, `XDG_CACHE_HOME`.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines (venv creation); silent by default. */
  readonly log?: (line: string) => void;
  /** How long a started moto may take to answer. */
  readonly startupTimeoutMs?: number;
  /** How long `docker info` may take before Docker counts as absent. */
  readonly dockerCheckTimeoutMs?: number;
}

/** What the environment asks for; `auto` means LocalStack when Docker answers, else moto. */
export type EmulatorChoice =
  | { kind: 'external'; endpoint: string }
  | { kind: 'moto' | 'localstack' | 'auto' };

/** Reads the emulator choice from the environment, naming the variable in any error. */
export function emulatorChoice(env: NodeJS.ProcessEnv): EmulatorChoice {
  const endpoint = env.AWS_ENDPOINT_URL?.trim();
  if (endpoint) {
    if (!URL.canParse(endpoint)) throw new TestkitError(`AWS_ENDPOINT_URL is not a URL: ${endpoint}`);
    return { kind: 'external', endpoint: endpoint.replace(/\/+$/, '') };
  }
  const wanted = env.IR_AWS_EMULATOR?.trim() || 'auto';
  if (wanted === 'moto' || wanted === 'localstack' || wanted === 'auto') return { kind: wanted };
  throw new TestkitError(`IR_AWS_EMULATOR must be moto, localstack or auto, not ${wanted}`);
}

/**
 * Starts (or adopts) an AWS emulator: `AWS_ENDPOINT_URL` when set; otherwise LocalStack when a Docker
 * engine answers; otherwise a moto server from a cached virtualenv, which needs only Python 3.
 */
export async function startAwsEmulator(options: StartAwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const env = options.env ?? process.env;
  const choice = emulatorChoice(env);
  if (choice.kind === 'external') return externalEmulator(choice.endpoint);
  const useLocalStack =
    choice.kind === 'localstack' ||
    (choice.kind === 'auto' && (await dockerEngineAnswers(options.dockerCheckTimeoutMs)));
  return useLocalStack ? localStackEmulator(env) : motoEmulator(env, options);
}

function externalEmulator(endpoint: string): AwsEmulator {
  return {
    endpoint,
    kind: 'external',
    async reset() {
      if (await postReset(endpoint, RESET_PATHS.moto)) return;
      await postReset(endpoint, RESET_PATHS.localstack);
    },
    async stop() {},
  };
}

async function localStackEmulator(env: NodeJS.ProcessEnv): Promise<AwsEmulator> {
  const image = env.IR_LOCALSTACK_IMAGE?.trim() || DEFAULT_LOCALSTACK_IMAGE;
  const container = await startLocalStack({ image, authToken: env.LOCALSTACK_AUTH_TOKEN?.trim() });
  return {
    endpoint: container.endpoint,
    kind: 'localstack',
    reset: () => resetOrThrow(container.endpoint, RESET_PATHS.localstack),
    stop: () => container.stop(),
  };
}

async function motoEmulator(env: NodeJS.ProcessEnv, options: StartAwsEmulatorOptions): Promise<AwsEmulator> {
  const python = await ensureMotoVenv({
    venvDir: motoVenvDir(env),
    basePython: env.IR_PYTHON?.trim() || 'python3',
    ...(options.log ? { log: options.log } : {}),
  });
  const server = await startMotoServer({
    python,
    ...(options.startupTimeoutMs ? { startupTimeoutMs: options.startupTimeoutMs } : {}),
  });
  return {
    endpoint: server.endpoint,
    kind: 'moto',
    pid: server.pid,
    reset: () => resetOrThrow(server.endpoint, RESET_PATHS.moto),
    stop: () => server.stop(),
  };
}

async function resetOrThrow(endpoint: string, path: string): Promise<void> {
  if (!(await postReset(endpoint, path))) {
    throw new EmulatorError(`emulator reset failed: POST ${path} on ${endpoint}`, { context: { endpoint } });
  }
}
