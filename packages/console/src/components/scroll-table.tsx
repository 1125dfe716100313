import type { ComponentChildren } from 'preact';

/**
 * A table inside a labelled region that scrolls sideways on narrow screens. The region takes focus
 * so that a keyboard user can scroll it too.
 */
export function ScrollTable({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it.
    <section class="table-scroll" aria-label={label} tabIndex={0}>
      <table>{children}</table>
    </section>
  );
}
