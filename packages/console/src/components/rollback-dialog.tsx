import { ConfirmDialog } from './confirm-dialog.js';

/** The rollback confirmation: a {@link ConfirmDialog} with an optional reason and "Confirm rollback". */
export function RollbackDialog(props: {
  readonly open: boolean;
  readonly onConfirm: (reason: string) => void;
  readonly onClose: () => void;
}) {
  return (
    <ConfirmDialog
      id="rollback"
      open={props.open}
      title="Roll back this incident?"
      reasonLabel="Reason for rollback"
      confirmLabel="Confirm rollback"
      onConfirm={props.onConfirm}
      onClose={props.onClose}
    >
      <p>
        Every containment that succeeded is undone from the state recorded before it, where it can be (a
        removed console password cannot be restored). Each rollback step waits for an approver other than you.
      </p>
    </ConfirmDialog>
  );
}
