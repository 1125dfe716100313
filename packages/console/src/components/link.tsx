import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../router.js';

/** A link to a console page: a real `<a href>` that navigates without reloading on a plain click. */
export function Link(props: {
  readonly href: string;
  readonly children: ComponentChildren;
  readonly class?: string;
  readonly current?: boolean;
}) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={onLinkClick}
    >
      {props.children}
    </a>
  );
}
