import type { SystemQueueName } from '@ir/contracts';
import type { OperatorApi } from '../api.js';
import { type Role, roleAllows } from '../auth/roles.js';
import { DeadLetterMessages } from '../components/dead-letter-messages.js';
import { Link } from '../components/link.js';
import { ScrollTable } from '../components/scroll-table.js';
import { formatTime } from '../format.js';
import { usePolling } from '../hooks.js';
import { deadLettersPath } from '../router.js';

/** How often the depths are read again (GetQueueAttributes: it touches no message). */
export const DLQ_REFRESH_MS = 10_000;

/**
 * The dead-letter queues: every work queue's DLQ with its depth (viewers), and the messages of the
 * one chosen (`/console/dlq/<queue>`, responders) with why each was moved; admins select messages
 * and redrive them.
 */
export function DeadLettersPage(props: {
  readonly api: OperatorApi;
  readonly queue: SystemQueueName | undefined;
  readonly role: Role | undefined;
}) {
  const { api, queue, role } = props;
  const overview = usePolling(() => api.deadLetterQueues(), 'dlq:overview', DLQ_REFRESH_MS);
  const canRead = roleAllows(role, 'responder');

  return (
    <>
      <h1>Dead-letter queues</h1>
      <p>
        A message a service could not process is moved to its queue's dead-letter queue with the reason:
        malformed input at once, a failing dependency after its retries. Nothing in a DLQ is worked on until
        an admin redrives it.
      </p>
      {overview.error && (
        <p role="alert" class="error">
          Could not read the queues: {overview.error}
        </p>
      )}
      <ScrollTable label="Dead-letter queue depths">
        <thead>
          <tr>
            <th scope="col">Work queue</th>
            <th scope="col">Dead-letter queue</th>
            <th scope="col">Messages</th>
            <th scope="col">In flight</th>
          </tr>
        </thead>
        <tbody>
          {(overview.data?.queues ?? []).map((summary) => (
            <tr key={summary.queue} data-queue={summary.queue}>
              <th scope="row">
                {canRead ? (
                  <Link href={deadLettersPath(summary.queue)} current={summary.queue === queue}>
                    {summary.queue}
                  </Link>
                ) : (
                  summary.queue
                )}
              </th>
              <td class="mono">{summary.dlq}</td>
              <td data-count="messages">{summary.messages}</td>
              <td data-count="in-flight">{summary.inFlight}</td>
            </tr>
          ))}
          {!overview.data && (
            <tr>
              <td colSpan={4}>{overview.loading ? 'Loading…' : 'No answer.'}</td>
            </tr>
          )}
        </tbody>
      </ScrollTable>
      <div class="list-status">
        <p>
          Depths as SQS approximates them; in flight means received by a reader right now.
          {overview.loadedAt &&
            ` Read at ${formatTime(overview.loadedAt.toISOString())} (every ${DLQ_REFRESH_MS / 1000} s).`}
        </p>
        <button type="button" onClick={overview.reload}>
          Refresh now
        </button>
      </div>

      {!canRead && <p class="muted">Reading the messages in a DLQ needs the responder role.</p>}
      {canRead && !queue && <p>Choose a work queue above to read the messages in its DLQ.</p>}
      {canRead && queue && (
        <DeadLetterMessages
          key={queue}
          api={api}
          queue={queue}
          canRedrive={roleAllows(role, 'admin')}
          onRedriven={overview.reload}
        />
      )}
    </>
  );
}
