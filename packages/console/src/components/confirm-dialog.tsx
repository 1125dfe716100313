import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A confirmation for an action that changes what the system does (a rollback, a redrive): a modal
 * `<dialog>` (focus moves into it, Escape cancels, focus returns to the button that opened it on
 * close) with what will happen, an optional reason, the confirm button and "Cancel". The reason is
 * recorded with the person's identity by the API.
 */
export function ConfirmDialog(props: {
  /** Prefix of the dialog's element ids (`<id>-title`, `<id>-reason`): unique on the page. */
  readonly id: string;
  readonly open: boolean;
  readonly title: string;
  /** What confirming does, in a sentence or two. */
  readonly children: ComponentChildren;
  readonly reasonLabel: string;
  readonly confirmLabel: string;
  /** Keeps the confirm button disabled (e.g. until a required choice is made). */
  readonly confirmDisabled?: boolean;
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
    <dialog ref={dialog} aria-labelledby={`${props.id}-title`} onClose={props.onClose}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.children}
      <label for={`${props.id}-reason`}>{props.reasonLabel}</label>
      <textarea
        id={`${props.id}-reason`}
        rows={3}
        maxLength={2000}
        value={reason}
        onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <div class="buttons">
        <button
          type="button"
          class="danger"
          disabled={props.confirmDisabled === true}
          onClick={() => {
            props.onConfirm(reason);
            setReason('');
          }}
        >
          {props.confirmLabel}
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
