import { pause as sleep } from './receive-backoff.js';

/** The handlers running in one worker, each with the controller that aborts it. */
export interface InFlight {
  readonly size: number;
  /** Registers a handler about to run; returns the controller whose signal it gets. */
  begin(): AbortController;
  /** Unregisters it; the last one out wakes {@link InFlight.waitForIdle}. */
  end(controller: AbortController): void;
  /** Resolves true once nothing is in flight, or false after `ms`. */
  waitForIdle(ms: number): Promise<boolean>;
  /** Aborts every running handler, each with its own `reason()`. */
  abortAll(reason: () => unknown): void;
}

/** In-flight tracking for draining: a shutdown waits for it to empty, then aborts what is left. */
export function createInFlight(): InFlight {
  const controllers = new Set<AbortController>();
  const idleWaiters: Array<() => void> = [];
  return {
    get size() {
      return controllers.size;
    },
    begin() {
      const controller = new AbortController();
      controllers.add(controller);
      return controller;
    },
    end(controller) {
      controllers.delete(controller);
      if (controllers.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    },
    waitForIdle: (ms) =>
      controllers.size === 0
        ? Promise.resolve(true)
        : Promise.race([
            new Promise<boolean>((resolve) => idleWaiters.push(() => resolve(true))),
            sleep(ms).then(() => false),
          ]),
    abortAll(reason) {
      for (const controller of controllers) controller.abort(reason());
    },
  };
}
