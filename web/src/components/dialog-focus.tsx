/**
 * Keyboard focus for a dialog that is mounted only while open (antd gives focus back only to
 * dialogs it closes itself): Tab and Shift+Tab cycle through the dialog's controls (the browser
 * would otherwise step out of the page once after the last one), and when the dialog goes, focus
 * goes back to the control that opened it — or, if that control is now disabled, to its toolbar.
 */
import { type KeyboardEvent, type ReactNode, useCallback, useEffect, useState } from "react";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function useDialogFocus(): { modalRender: (node: ReactNode) => ReactNode } {
  // Read during the first render: by the time effects run, the dialog has taken focus already.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));

  useEffect(
    () => () => {
      // After the dialog's nodes are gone, and only if focus went with them.
      setTimeout(() => restoreFocus(opener));
    },
    [opener],
  );

  const modalRender = useCallback(
    (node: ReactNode) => (
      // biome-ignore lint/a11y/noStaticElementInteractions: only keeps Tab inside the dialog; the dialog itself has the role.
      <div onKeyDown={cycleTab}>{node}</div>
    ),
    [],
  );
  return { modalRender };
}

function cycleTab(event: KeyboardEvent<HTMLDivElement>): void {
  if (event.key !== "Tab") return;
  const controls = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.closest('[hidden], [aria-hidden="true"]'),
  );
  const first = controls[0];
  const last = controls.at(-1);
  if (!first || !last) return;
  if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  } else if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  }
}

function restoreFocus(opener: HTMLElement | null): void {
  const active = document.activeElement;
  if (!opener || (active && active !== document.body)) return;
  if (opener.isConnected) opener.focus();
  if (document.activeElement === opener) return;
  const toolbar = opener.isConnected ? opener.closest<HTMLElement>('[role="toolbar"]') : null;
  if (!toolbar) return;
  if (!toolbar.hasAttribute("tabindex")) toolbar.tabIndex = -1;
  toolbar.focus();
}
