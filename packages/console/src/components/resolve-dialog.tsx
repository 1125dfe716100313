import type { Disposition, IncidentCategory } from '@ir/contracts';
import { useState } from 'preact/hooks';
import { ConfirmDialog } from './confirm-dialog.js';

/*
 * Labels by value. A Record over the contract's types, so the compiler refuses a list that misses a
 * value the API accepts (the console imports no runtime code from the contracts, to stay small).
 */
const dispositionLabels: Record<Disposition, string> = {
  'true-positive': 'True positive: malicious or unauthorised',
  'benign-true-positive': 'Benign true positive: real but expected',
  'false-positive': 'False positive: the detector was wrong',
  duplicate: 'Duplicate: another incident covers it',
};
const categoryLabels: Record<IncidentCategory, string> = {
  'credential-compromise': 'Credential compromise',
  'unauthorized-access': 'Unauthorised access',
  malware: 'Malware',
  cryptomining: 'Cryptomining',
  'data-exfiltration': 'Data exfiltration',
  reconnaissance: 'Reconnaissance',
  'denial-of-service': 'Denial of service',
  misconfiguration: 'Misconfiguration',
  'policy-violation': 'Policy violation',
  other: 'Other',
};
const isIn = <K extends string>(labels: Record<K, string>, value: string): value is K =>
  Object.hasOwn(labels, value);

/** What a resolve says about the incident: both are required by the API. */
export interface Resolution {
  readonly disposition: Disposition;
  readonly category: IncidentCategory;
}

/**
 * The resolve confirmation: whether the incident was real (disposition) and what kind it was
 * (category), both required (the button stays disabled until both are chosen), and an optional reason.
 */
export function ResolveDialog(props: {
  readonly open: boolean;
  readonly onConfirm: (resolution: Resolution, reason: string) => void;
  readonly onClose: () => void;
}) {
  const [disposition, setDisposition] = useState('');
  const [category, setCategory] = useState('');
  const ready = isIn(dispositionLabels, disposition) && isIn(categoryLabels, category);
  return (
    <ConfirmDialog
      id="resolve"
      open={props.open}
      title="Resolve this incident?"
      reasonLabel="Reason (optional)"
      confirmLabel="Confirm resolve"
      confirmDisabled={!ready}
      onConfirm={(reason) => {
        if (isIn(dispositionLabels, disposition) && isIn(categoryLabels, category)) {
          props.onConfirm({ disposition, category }, reason);
          setDisposition('');
          setCategory('');
        }
      }}
      onClose={props.onClose}
    >
      <p>
        Steps not started are skipped, the source finding is marked resolved or suppressed, and the report is
        stored as evidence.
      </p>
      <label for="resolve-disposition">Disposition</label>
      <select
        id="resolve-disposition"
        value={disposition}
        onChange={(e) => setDisposition((e.currentTarget as HTMLSelectElement).value)}
      >
        <option value="">Choose…</option>
        {Object.entries(dispositionLabels).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <label for="resolve-category">Category</label>
      <select
        id="resolve-category"
        value={category}
        onChange={(e) => setCategory((e.currentTarget as HTMLSelectElement).value)}
      >
        <option value="">Choose…</option>
        {Object.entries(categoryLabels).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </ConfirmDialog>
  );
}
