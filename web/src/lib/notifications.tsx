/**
 * antd notifications through context, with their holder inside the router so their content can
 * hold links. antd's `<App>` would do this too, but it also pulls in Modal and, with it, antd's
 * form machinery: about 40 kB gzip on every first load for dialogs only some pages open.
 */
import { notification } from "antd";
import type { NotificationInstance } from "antd/es/notification/interface";
import { createContext, type ReactNode, use } from "react";

const NotificationsContext = createContext<NotificationInstance | null>(null);

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [api, holder] = notification.useNotification({ placement: "bottomRight", maxCount: 5 });
  return (
    <NotificationsContext value={api}>
      {holder}
      {children}
    </NotificationsContext>
  );
}

export function useNotifications(): NotificationInstance {
  const api = use(NotificationsContext);
  if (!api) throw new Error("useNotifications needs a NotificationsProvider");
  return api;
}
