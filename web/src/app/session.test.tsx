import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConfigProvider } from "antd";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../lib/i18n/i18n-provider.tsx";
import { loadLanguage } from "../lib/i18n/languages.ts";
import { ThemeProvider } from "../lib/theme/theme-provider.tsx";
import { historyPage, projectAccess } from "../test/fixtures.ts";
import { jsonResponse, mockApi } from "../test/mock-api.ts";
import { testQueryClient } from "../test/render.tsx";
import { routes } from "./router.tsx";

const me = {
  user: { username: "alice", isAdmin: false },
  csrfToken: "csrf-1",
  projects: [projectAccess()],
};

async function openApp(url: string, { theme }: { theme?: "light" | "dark" } = { theme: "light" }) {
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  render(
    <QueryClientProvider client={testQueryClient()}>
      <I18nProvider initial={await loadLanguage("en")}>
        <ThemeProvider {...(theme ? { initial: theme } : {})}>
          <ConfigProvider theme={{ zeroRuntime: true }}>
            <RouterProvider router={router} />
          </ConfigProvider>
        </ThemeProvider>
      </I18nProvider>
    </QueryClientProvider>,
  );
  return { router, user: userEvent.setup() };
}

describe("signing in", () => {
  it("sends a visitor without a session to sign in, then back to where they were going", async () => {
    let signedIn = false;
    const api = mockApi({
      "GET /api/me": () =>
        signedIn ? me : jsonResponse(401, { error: { code: "unauthenticated", message: "Sign in first" } }),
      "POST /api/session": (call) => {
        const { password } = call.body as { password: string };
        if (password !== "right") return jsonResponse(401, { error: { code: "invalid_credentials", message: "no" } });
        signedIn = true;
        return { user: me.user, csrfToken: "csrf-1" };
      },
      "GET /api/projects/demo/pipelines": () => ({ project: me.projects[0], items: [] }),
    });
    const { router, user } = await openApp("/projects/demo");

    await screen.findByRole("button", { name: "Sign in" });
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(router.state.location.search).toBe("?next=%2Fprojects%2Fdemo");

    await user.type(screen.getByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Wrong username or password.")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");

    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), "right");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Demo" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/projects/demo");
    expect(screen.getByText("alice")).toBeInTheDocument();
    expect(api.callsTo("POST", "/api/session")[1]!.body).toEqual({ username: "alice", password: "right" });
  });

  it("asks for both fields before calling the server", async () => {
    const api = mockApi({ "GET /api/me": () => jsonResponse(401, {}) });
    const { user } = await openApp("/sign-in");
    await user.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Enter your username")).toBeInTheDocument();
    expect(screen.getByText("Enter your password")).toBeInTheDocument();
    expect(api.callsTo("POST", "/api/session")).toHaveLength(0);
  });

  it("never redirects outside the app after signing in", async () => {
    mockApi({ "POST /api/session": () => ({ user: me.user, csrfToken: "c" }), "GET /api/me": () => me });
    const { router, user } = await openApp("/sign-in?next=//evil.example/x");
    await user.type(await screen.findByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("Password"), "right");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByRole("heading", { name: "Projects" });
    expect(router.state.location.pathname).toBe("/");
  });
});

describe("the header", () => {
  it("signs out with the CSRF token and lands on the sign-in page", async () => {
    const api = mockApi({
      "GET /api/me": () => me,
      "DELETE /api/session": () => new Response(null, { status: 204 }),
      "GET /api/projects/demo/pipelines": () => ({ project: me.projects[0], items: [] }),
    });
    const { router, user } = await openApp("/");
    await user.click(await screen.findByRole("button", { name: "Sign out" }));
    await screen.findByRole("button", { name: "Sign in" });
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(api.callsTo("DELETE", "/api/session")[0]!.headers.get("X-CSRF-Token")).toBe("csrf-1");
  });

  it("switches every string to 简体中文 and remembers the choice", async () => {
    mockApi({
      "GET /api/me": () => me,
      "GET /api/projects/demo/pipelines/web-app/history": () => historyPage([]),
      "GET /api/projects/demo/pipelines": () => ({ project: me.projects[0], items: [] }),
    });
    const { user } = await openApp("/projects/demo/pipelines/web-app");
    expect(await screen.findByText("No builds yet. Trigger one and it shows up here.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "简体中文" }));
    expect(await screen.findByRole("button", { name: "退出登录" })).toBeInTheDocument();
    expect(screen.getByText("还没有构建。触发一次后会显示在这里。")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "取消全部进行中（0）" })).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "语言" })).toBeInTheDocument();
    expect(localStorage.getItem("sluice.language")).toBe("zh-CN");
    expect(document.documentElement.lang).toBe("zh-CN");
  });

  it("follows the system's dark preference until the switch says otherwise, and remembers that", async () => {
    const system = window.matchMedia;
    window.matchMedia = (query: string) => ({
      ...system(query),
      matches: query.includes("dark") || system(query).matches,
    });
    try {
      mockApi({
        "GET /api/me": () => me,
        "GET /api/projects/demo/pipelines": () => ({ project: me.projects[0], items: [] }),
      });
      const { user } = await openApp("/", { theme: undefined });
      const dark = await screen.findByRole("switch", { name: "Dark mode" });
      expect(dark).toBeChecked();
      expect(document.documentElement.dataset.theme).toBe("dark");
      await user.click(dark);
      expect(dark).not.toBeChecked();
      expect(document.documentElement.dataset.theme).toBe("light");
      expect(localStorage.getItem("sluice.theme")).toBe("light");
    } finally {
      window.matchMedia = system;
    }
  });

  it("at 390 px collapses into a menu that holds the language, the theme and signing out", async () => {
    const width = window.innerWidth;
    window.innerWidth = 390;
    try {
      mockApi({
        "GET /api/me": () => me,
        "GET /api/projects/demo/pipelines": () => ({ project: me.projects[0], items: [] }),
      });
      const { user } = await openApp("/");
      const menu = await screen.findByRole("button", { name: "Menu" });
      expect(screen.queryByRole("button", { name: "Sign out" })).not.toBeInTheDocument();
      await user.click(menu);
      const drawer = await screen.findByRole("dialog");
      expect(within(drawer).getByText("Signed in as alice")).toBeInTheDocument();
      expect(within(drawer).getByRole("group", { name: "Language" })).toBeInTheDocument();
      expect(within(drawer).getByRole("switch", { name: "Dark mode" })).toBeInTheDocument();
      expect(within(drawer).getByRole("button", { name: "Sign out" })).toBeInTheDocument();
    } finally {
      window.innerWidth = width;
    }
  });
});
