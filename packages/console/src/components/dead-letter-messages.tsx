import type { DeadLetterMessage, RedriveResult, SystemQueueName } from '@ir/contracts';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { OperatorApi } from '../api.js';
import { keepSelected, NOT_REDRIVABLE, redriveMessage } from '../dead-letters.js';
import { formatTime } from '../format.js';
import { usePolling } from '../hooks.js';
import { incidentPath } from '../router.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { Link } from './link.js';

/** How many messages one listing shows (the API's default and the most a redrive names at once). */
const LIST_LIMIT = 50;

function Fact(props: { readonly label: string; readonly children: ComponentChildren }) {
  if (props.children === null || props.children === undefined || props.children === '') return null;
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

/** One dead-lettered message: why it was moved, where from, the incident it belongs to, its body. */
function DeadLetter(props: {
  readonly message: DeadLetterMessage;
  readonly index: number;
  /** Present for admins: the message's checkbox. */
  readonly selection?: { readonly checked: boolean; readonly onChange: (checked: boolean) => void };
}) {
  const { message, index, selection } = props;
  const boxId = `select-${index}`;
  const whyId = `not-redrivable-${index}`;
  return (
    <li
      data-message-id={message.messageId}
      data-reason={message.reason}
      data-redrivable={String(message.redrivable)}
    >
      <div class="message-head">
        {selection ? (
          <>
            <input
              type="checkbox"
              id={boxId}
              checked={selection.checked && message.redrivable}
              disabled={!message.redrivable}
              aria-describedby={message.redrivable ? undefined : whyId}
              onChange={(e) => selection.onChange((e.currentTarget as HTMLInputElement).checked)}
            />
            <label for={boxId}>
              Select message <span class="mono">{message.messageId}</span>
            </label>
          </>
        ) : (
          <span>
            Message <span class="mono">{message.messageId}</span>
          </span>
        )}
        <span class="tag">{message.reason}</span>
      </div>
      {!message.redrivable && (
        <p id={whyId} class="muted">
          {NOT_REDRIVABLE}
        </p>
      )}
      <dl class="facts">
        <Fact label="Reason">{message.reason}</Fact>
        <Fact label="Error">{message.error}</Fact>
        <Fact label="Detail">{message.detail}</Fact>
        <Fact label="Failed at">{message.failedAt && formatTime(message.failedAt)}</Fact>
        <Fact label="Receive count">{message.receiveCount}</Fact>
        <Fact label="Type">{message.type}</Fact>
        <Fact label="Source queue">{message.sourceQueue}</Fact>
        <Fact label="Incident">
          {message.incidentId && (
            <Link href={incidentPath(message.incidentId)} class="mono">
              {message.incidentId}
            </Link>
          )}
        </Fact>
      </dl>
      <details>
        <summary>Body ({message.body.length} characters)</summary>
        <pre class="message-body">{message.body}</pre>
      </details>
    </li>
  );
}

/** What a redrive did: the ids moved, the problems (by stage), the ids the DLQ did not hand out. */
function RedriveOutcome({ result }: { readonly result: RedriveResult }) {
  return (
    <section aria-label="Redrive result" class="verification">
      <h3>Moved: {result.moved.length}</h3>
      {result.moved.length > 0 && (
        <ul>
          {result.moved.map((id) => (
            <li key={id} class="mono">
              {id}
            </li>
          ))}
        </ul>
      )}
      <h3>Problems: {result.problems.length}</h3>
      {result.problems.length > 0 && (
        <ul>
          {result.problems.map((problem) => (
            <li key={`${problem.messageId}:${problem.stage}`}>
              <span class="mono">{problem.messageId}</span> ({problem.stage}): {problem.message}
            </li>
          ))}
        </ul>
      )}
      <h3>Not found: {result.notFound.length}</h3>
      {result.notFound.length > 0 && (
        <>
          <p class="muted">Already moved, or hidden for a moment by another reader of the queue.</p>
          <ul>
            {result.notFound.map((id) => (
              <li key={id} class="mono">
                {id}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/**
 * The messages in one work queue's DLQ (responders), with a checkbox per redrivable message and
 * "Redrive selected" behind a confirmation for admins. Read on opening and on request, not polled:
 * the API lists by receiving and releasing, and a listing that holds a message while an admin's
 * redrive asks for it would turn that message into "not found".
 */
export function DeadLetterMessages(props: {
  readonly api: OperatorApi;
  readonly queue: SystemQueueName;
  readonly canRedrive: boolean;
  /** Called after a redrive answered (the depths changed). */
  readonly onRedriven: () => void;
}) {
  const { api, queue, canRedrive } = props;
  const list = usePolling(() => api.deadLetters(queue, LIST_LIMIT), `dlq:${queue}`);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [result, setResult] = useState<RedriveResult | undefined>();

  const messages = list.data?.messages ?? [];
  useEffect(() => {
    if (list.data) setSelected((current) => keepSelected(current, list.data?.messages ?? []));
  }, [list.data]);

  const redrivable = messages.filter((message) => message.redrivable);
  const allSelected = redrivable.length > 0 && redrivable.every((m) => selected.has(m.messageId));
  const select = (id: string, checked: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (checked) next.add(id);
      else next.delete(id);
      return next;
    });

  const redrive = (reason: string) => {
    const ids = [...selected];
    setConfirming(false);
    setBusy(true);
    setStatus('');
    setResult(undefined);
    api.redrive(queue, ids, reason).then(
      (answer) => {
        setResult(answer);
        setStatus(redriveMessage(answer));
        setSelected(new Set());
        setBusy(false);
        list.reload();
        props.onRedriven();
      },
      (error: unknown) => {
        setStatus(redriveMessage(error instanceof Error ? error : new Error(String(error))));
        setBusy(false);
      },
    );
  };

  const dlq = list.data?.dlq ?? `the ${queue} DLQ`;
  return (
    <section aria-labelledby="messages-heading">
      <h2 id="messages-heading">Messages in {dlq}</h2>
      <div class="list-status">
        <p>
          {list.data
            ? `${messages.length} message${messages.length === 1 ? '' : 's'} listed${
                list.data.truncated ? ` (the first ${LIST_LIMIT}: there may be more)` : ''
              }.`
            : list.loading
              ? 'Loading…'
              : ''}{' '}
          {list.loadedAt && `Read at ${formatTime(list.loadedAt.toISOString())}.`}
        </p>
        <button type="button" onClick={list.reload} disabled={list.loading}>
          Refresh messages
        </button>
      </div>
      {list.error && (
        <p role="alert" class="error">
          Could not read the messages: {list.error}
        </p>
      )}

      {canRedrive ? (
        <div class="buttons redrive-controls">
          <label class="check">
            <input
              type="checkbox"
              checked={allSelected}
              disabled={redrivable.length === 0 || busy}
              onChange={(e) =>
                setSelected(
                  (e.currentTarget as HTMLInputElement).checked
                    ? new Set(redrivable.map((m) => m.messageId))
                    : new Set(),
                )
              }
            />
            Select all redrivable
          </label>
          <button
            type="button"
            class="danger"
            disabled={busy || selected.size === 0}
            onClick={() => setConfirming(true)}
          >
            Redrive selected ({selected.size})
          </button>
        </div>
      ) : (
        <p class="muted">Only an admin can redrive messages.</p>
      )}
      <p role="status" class="status-line">
        {status}
      </p>
      {result && <RedriveOutcome result={result} />}

      {list.data && messages.length === 0 && <p>This dead-letter queue is empty.</p>}
      <ol class="dead-letters">
        {messages.map((message, index) => (
          <DeadLetter
            key={message.messageId}
            message={message}
            index={index}
            selection={
              canRedrive
                ? { checked: selected.has(message.messageId), onChange: (c) => select(message.messageId, c) }
                : undefined
            }
          />
        ))}
      </ol>

      <ConfirmDialog
        id="redrive"
        open={confirming}
        title={`Redrive ${selected.size} message${selected.size === 1 ? '' : 's'}?`}
        reasonLabel="Reason for redrive"
        confirmLabel="Confirm redrive"
        onConfirm={redrive}
        onClose={() => setConfirming(false)}
      >
        <p>
          Each is sent back to the {queue} queue and deleted from {dlq} once the send succeeded. A message
          that fails again is dead-lettered again, with its new reason. Your name and the reason are logged.
        </p>
      </ConfirmDialog>
    </section>
  );
}
