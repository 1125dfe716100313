import type { AwsClientFactory } from '@ir/runtime';
import type { IsolatorConfig } from '../config.js';

/**
 * What the isolator's actions need besides their {@link StepContext}: the isolator's settings, and the
 * client factory for the few calls outside the target's region (a trail's home region).
 */
export interface ActionDeps {
  readonly config: IsolatorConfig;
  readonly aws: AwsClientFactory;
}
