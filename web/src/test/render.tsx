import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { ConfigProvider } from "antd";
import type { ReactNode } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { expect } from "vitest";
import { I18nProvider } from "../lib/i18n/i18n-provider.tsx";
import { type Language, loadLanguage } from "../lib/i18n/languages.ts";
import { NotificationsProvider } from "../lib/notifications.tsx";

export function testQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY }, mutations: { retry: false } },
  });
}

/** Renders `ui` at `url` (matched by `path`) inside the app's providers, in English unless told otherwise. */
export async function renderPage(
  ui: ReactNode,
  {
    url = "/",
    path = "*",
    queryClient = testQueryClient(),
    language = "en",
  }: { url?: string; path?: string; queryClient?: QueryClient; language?: Language } = {},
) {
  const pack = await loadLanguage(language);
  const router = createMemoryRouter(
    [
      { path, element: <NotificationsProvider>{ui}</NotificationsProvider> },
      { path: "*", element: <p>elsewhere</p> },
    ],
    { initialEntries: [url] },
  );
  const result = render(
    <QueryClientProvider client={queryClient}>
      <I18nProvider initial={pack}>
        {/* No injected styles: jsdom would recompute every rule for each role query, making tests crawl. */}
        <ConfigProvider theme={{ zeroRuntime: true }}>
          <RouterProvider router={router} />
        </ConfigProvider>
      </I18nProvider>
    </QueryClientProvider>,
  );
  return { ...result, router, queryClient };
}

/**
 * The open dialog with this title. Not by accessible name: under test, antd's ids are all
 * "test-id", so `aria-labelledby` may point at another element.
 */
export async function findDialog(title: string): Promise<HTMLElement> {
  const dialog = await screen.findByRole("dialog");
  expect(dialog.querySelector(".ant-modal-title")).toHaveTextContent(title);
  return dialog;
}
