export { type Channel, ChannelName, type ChannelReceipt } from './channels/channel.js';
export { configuredChannels, loadConfig, type NotifierConfig, NotifierEnv, secretValues } from './config.js';
export { deliveryDeadline, PUBLISH_RESERVE_MS } from './delivery/budget.js';
export { type ChannelOutcome, type DeliveryDeps, type DeliveryReport, deliver } from './delivery/deliver.js';
export { type RetryPolicy, type RetryTools, realRetryTools, withRetries } from './delivery/retry.js';
export {
  ChannelFailedError,
  DeliveryError,
  isDeliveryError,
  NotifierError,
  RoutingConfigError,
} from './errors.js';
export {
  createHandlers,
  createNotifyIncidentHandler,
  NOTIFICATION_UNDELIVERED,
  type NotifierAction,
  type NotifyDeps,
} from './handlers/index.js';
export { createNotifierMetrics, NotificationOutcome, type NotifierMetrics } from './metrics.js';
export { channelsFor, loadRoutes, parseRoutes, RoutingFile } from './routing/routes.js';
export { signWebhookBody, verifyWebhookSignature, WebhookHeader } from './signature.js';
export { createService, type NotifierDeps, SERVICE_NAME } from './service.js';
