import { LocalstackContainer } from '@testcontainers/localstack';

/**
 * LocalStack 4.14.0 is the last release that starts without an auth token: from 2026.03 the
 * `latest` tag is a unified image that refuses to start without `LOCALSTACK_AUTH_TOKEN`
 * (localstack/localstack#13645, quickwit-oss/quickwit#6303 pinning 4.14.0 as "the last free version").
 * Override with `IR_LOCALSTACK_IMAGE`.
 */
export const DEFAULT_LOCALSTACK_IMAGE = 'localstack/localstack:4.14.0';

export interface StartLocalStackOptions {
  readonly image?: string;
  /** Passed to the container when set; required by images newer than the default. */
  readonly authToken?: string | undefined;
}

/** A LocalStack container started through Testcontainers (whose Ryuk reaper removes it if we die). */
export interface LocalStack {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts LocalStack and resolves once Testcontainers' readiness check passes. */
export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<LocalStack> {
  const container = new LocalstackContainer(options.image ?? DEFAULT_LOCALSTACK_IMAGE);
  if (options.authToken) container.withEnvironment({ LOCALSTACK_AUTH_TOKEN: options.authToken });
  const started = await container.start();
  return {
    endpoint: started.getConnectionUri(),
    async stop() {
      await started.stop();
    },
  };
}
