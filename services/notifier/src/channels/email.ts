import { createTransport } from 'nodemailer';
import { DeliveryError } from '../errors.js';
import { escapeHtml } from '../format/escape.js';
import {
  approvalLines,
  factsOf,
  type Notification,
  plainText,
  titleOf,
  truncate,
} from '../format/notification.js';
import type { Channel } from './channel.js';

/** Settings of {@link emailChannel}. */
export interface EmailSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465). */
  readonly secure: boolean;
  /** Refuse to send unless the server offers STARTTLS. On by default: incident mail is sensitive. */
  readonly requireTls: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
  readonly attemptTimeoutMs: number;
}

/** The HTML body: the same content as the text body, as a table and lists. */
export function emailHtml(notification: Notification): string {
  const rows = factsOf(notification)
    .map(
      ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const list = (items: readonly string[]) =>
    `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  const parts = [`<h2>${escapeHtml(titleOf(notification))}</h2>`, `<table>${rows}</table>`];
  if (notification.actionsTaken.length > 0)
    parts.push('<h3>What was done</h3>', list(notification.actionsTaken));
  const approvals = approvalLines(notification);
  if (approvals.length > 0) parts.push('<h3>Waiting for approval</h3>', list(approvals));
  parts.push(`<p><small>Correlation id ${escapeHtml(notification.correlationId)}</small></p>`);
  return `<!doctype html><html><body>${parts.join('')}</body></html>`;
}

interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
}

/** SMTP 4xx and connection problems pass with time; 5xx and authentication failures do not. */
function classify(error: unknown, signal: AbortSignal): DeliveryError {
  const { code, responseCode } = (error ?? {}) as SmtpFailure;
  if (signal.aborted) {
    return new DeliveryError('email', 'email: no answer within the attempt time-out', {
      retryable: true,
      reason: 'timeout',
      cause: error,
    });
  }
  if (typeof responseCode === 'number') {
    return new DeliveryError(
      'email',
      `email: SMTP ${responseCode}${typeof code === 'string' ? ` ${code}` : ''}`,
      {
        retryable: responseCode < 500,
        status: responseCode,
        cause: error,
      },
    );
  }
  const retryable = code !== 'EAUTH' && code !== 'EENVELOPE' && code !== 'EMESSAGE';
  return new DeliveryError('email', `email: ${typeof code === 'string' ? code : 'SMTP error'}`, {
    retryable,
    cause: error,
  });
}

/**
 * Plain-text and HTML mail over SMTP (nodemailer). A transport per attempt, closed when the attempt's
 * signal fires, so a hung server cannot outlive the step's time budget. Delivered means the server
 * accepted at least one recipient; recipients it refused are listed in the result.
 */
export function emailChannel(settings: EmailSettings): Channel {
  return {
    name: 'email',
    async send(notification, signal) {
      const transport = createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        requireTLS: settings.requireTls,
        ignoreTLS: !settings.secure && !settings.requireTls,
        ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
        connectionTimeout: settings.attemptTimeoutMs,
        greetingTimeout: settings.attemptTimeoutMs,
        socketTimeout: settings.attemptTimeoutMs,
      });
      const onAbort = () => transport.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: [...settings.to],
          subject: truncate(titleOf(notification), 200),
          text: plainText(notification),
          html: emailHtml(notification),
          headers: {
            'X-IR-Incident-Id': notification.incidentId,
            'X-IR-Delivery-Id': notification.deliveryId,
          },
        });
        const accepted = info.accepted.length;
        if (accepted === 0) {
          throw new DeliveryError('email', `email: every recipient was refused (${info.rejected.length})`, {
            retryable: false,
          });
        }
        return { detail: { accepted, rejected: info.rejected.length } };
      } catch (error: unknown) {
        if (error instanceof Error && error.name === 'DeliveryError') throw error;
        throw classify(error, signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        transport.close();
      }
    },
  };
}
