import { RouterProvider } from "react-router";
import type { LanguagePack } from "../lib/i18n/languages.ts";
import { createQueryClient } from "../lib/query-client.ts";
import { queryKeys } from "../lib/query-keys.ts";
import { AppProvider } from "./provider.tsx";
import { createAppRouter } from "./router.tsx";
import { signInPath } from "./sign-in-path.ts";

const router = createAppRouter();

/** A 401 anywhere means the session ended under an open page: sign in again, then come back here. */
const queryClient = createQueryClient({
  onUnauthenticated: () => {
    const { location } = router.state;
    if (location.pathname === "/sign-in") return;
    queryClient.removeQueries({ queryKey: queryKeys.me() });
    void router.navigate(signInPath(location, true), { replace: true });
  },
});

export function App({ language }: { language: LanguagePack }) {
  return (
    <AppProvider queryClient={queryClient} language={language}>
      <RouterProvider router={router} />
    </AppProvider>
  );
}
