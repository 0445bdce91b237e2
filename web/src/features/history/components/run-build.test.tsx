import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { build } from "../../../test/fixtures.ts";
import { mockApi } from "../../../test/mock-api.ts";
import { findDialog, renderPage } from "../../../test/render.tsx";
import { GoToBuild } from "./go-to-build.tsx";
import { RunBuild } from "./run-build.tsx";

const BUILDS = "/api/projects/demo/pipelines/web-app/builds";

describe("Run build and Go to #N on a pipeline's history", () => {
  it("runs a build with a branch, a commit and the declared parameters, and links to the new build", async () => {
    const api = mockApi({ [`POST ${BUILDS}`]: () => ({ build: build(42, "QUEUED") }) });
    await renderPage(
      <RunBuild
        project="demo"
        pipeline="web-app"
        canTrigger
        params={{ TARGET: { options: ["staging", "prod"], default: "staging" }, NOTE: { description: "free text" } }}
      />,
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Run build" }));
    const dialog = await findDialog("Run a build of web-app");
    const branch = within(dialog).getByLabelText("Branch");
    await user.clear(branch);
    await user.type(branch, "release");
    await user.type(within(dialog).getByLabelText("Commit (optional)"), "abcdef1");
    await user.type(within(dialog).getByLabelText("NOTE"), "hello");
    await user.click(within(dialog).getByRole("button", { name: "Run build" }));

    const link = await screen.findByRole("link", { name: "Open #42" });
    expect(link).toHaveAttribute("href", "/projects/demo/pipelines/web-app/builds/42");
    expect(api.callsTo("POST", BUILDS).map((c) => c.body)).toEqual([
      { branch: "release", commit: "abcdef1", params: { TARGET: "staging", NOTE: "hello" } },
    ]);
  });

  it("is disabled for someone who may not trigger builds", async () => {
    await renderPage(<RunBuild project="demo" pipeline="web-app" canTrigger={false} params={{}} />);
    expect(screen.getByRole("button", { name: "Run build" })).toBeDisabled();
  });

  it("Go to #N opens the build by its number", async () => {
    const { router } = await renderPage(<GoToBuild project="demo" pipeline="web-app" />);
    const user = userEvent.setup();
    await user.type(screen.getByRole("searchbox", { name: "Go to build number" }), "#17{Enter}");
    expect(router.state.location.pathname).toBe("/projects/demo/pipelines/web-app/builds/17");
  });
});
