import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * The rollback confirmation: a modal `<dialog>` (focus moves into it, Escape cancels, focus returns to
 * "Roll back" on close) with an optional reason and "Confirm rollback".
 */
export function RollbackDialog(props: {
  readonly open: boolean;
  readonly onConfirm: (reason: string) => void;
  readonly onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (props.open && !element.open) element.showModal();
    if (!props.open && element.open) element.close();
  }, [props.open]);

  return (
    <dialog ref={dialog} aria-labelledby="rollback-title" onClose={props.onClose}>
      <h2 id="rollback-title">Roll back this incident?</h2>
      <p>
        Every containment that succeeded is undone from the state recorded before it, where it can be (a
        removed console password cannot be restored). Each rollback step waits for an approver other than you.
      </p>
      <label for="rollback-reason">Reason for rollback</label>
      <textarea
        id="rollback-reason"
        rows={3}
        maxLength={2000}
        value={reason}
        onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <div class="buttons">
        <button
          type="button"
          class="danger"
          onClick={() => {
            props.onConfirm(reason);
            setReason('');
          }}
        >
          Confirm rollback
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
