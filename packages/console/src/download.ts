/** A file name for the download: the incident id, with anything unusual in it replaced. */
export function reportFileName(incidentId: string): string {
  return `incident-${incidentId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/** Saves `blob` as `fileName` through a temporary `<a download>` (no navigation, no new window). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The download has started once click() returns; the URL is released a little later all the same.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
