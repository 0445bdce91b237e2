import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { jsonResponse, mockApi } from "../../../test/mock-api.ts";
import { renderPage } from "../../../test/render.tsx";
import { SignInForm } from "./sign-in-form.tsx";

describe("the sign-in form", () => {
  it("a refused sign-in's message goes once the fields are emptied and the form's own errors show", async () => {
    mockApi({
      "POST /api/session": () =>
        jsonResponse(401, { error: { code: "invalid_credentials", message: "Wrong username or password" } }),
    });
    await renderPage(<SignInForm onSignedIn={vi.fn()} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Username"), "dev");
    await user.type(screen.getByLabelText("Password"), "nope");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Wrong username or password.")).toBeInTheDocument();

    await user.clear(screen.getByLabelText("Username"));
    await user.clear(screen.getByLabelText("Password"));
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Enter your username")).toBeInTheDocument();
    expect(screen.getByText("Enter your password")).toBeInTheDocument();
    expect(screen.queryByText("Wrong username or password.")).not.toBeInTheDocument();
  });
});
