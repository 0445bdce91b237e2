import type { Webhook, WebhookDelivery, WebhookDeliveryDetail } from "@common/webhooks.ts";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { jsonResponse, mockApi } from "../../../test/mock-api.ts";
import { findDialog, renderPage } from "../../../test/render.tsx";
import { WebhookSettings } from "./webhook-settings.tsx";

const BASE = "/api/projects/acme/webhooks";
const at = "2026-01-01T10:00:00.000Z";

const hook = (id: number, overrides: Partial<Webhook> = {}): Webhook => ({
  id,
  project: "acme",
  url: `https://hooks.example.com/${id}`,
  events: ["operation.completed"],
  active: true,
  disabledReason: null,
  disabledAt: null,
  failingSince: null,
  secretSet: true,
  createdBy: "maya",
  createdAt: at,
  updatedAt: at,
  lastDelivery: null,
  ...overrides,
});

const delivery = (id: number, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id,
  guid: `guid-${id}`,
  event: "operation.completed",
  status: "delivered",
  items: 1,
  attempts: 1,
  responseStatus: 200,
  durationMs: 12,
  error: null,
  nextAttemptAt: null,
  redeliveryOf: null,
  createdAt: at,
  finishedAt: at,
  ...overrides,
});

describe("the webhook settings page", () => {
  it("lists endpoints with their state; one disabled for failing says so and can be enabled again", async () => {
    const failing = hook(2, { active: false, disabledReason: "failing", failingSince: at, disabledAt: at });
    const api = mockApi({
      [`GET ${BASE}`]: () => ({ items: [hook(1), failing] }),
      [`GET ${BASE}/1/deliveries`]: () => ({ items: [], nextCursor: null }),
      [`PATCH ${BASE}/2`]: () => hook(2),
    });
    await renderPage(<WebhookSettings project="acme" />);
    await screen.findByText("https://hooks.example.com/2", { selector: "code" });
    const table = screen.getByRole("table", { name: "Webhooks" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("https://hooks.example.com/1");
    expect(rows[0]).toHaveTextContent("Active");
    expect(rows[1]).toHaveTextContent("Disabled");
    expect(within(rows[1] as HTMLElement).getByRole("button", { name: /Send test/ })).toBeDisabled();

    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Disabled after failing: https://hooks.example.com/2");
    expect(alert).toHaveTextContent("Fix the receiver, then enable it again.");
    await userEvent.setup().click(within(alert).getByRole("button", { name: "Enable" }));
    await waitFor(() => expect(api.callsTo("PATCH", `${BASE}/2`)).toHaveLength(1));
    expect(api.callsTo("PATCH", `${BASE}/2`)[0]?.body).toEqual({ active: true });
    await waitFor(() => expect(screen.queryByText(/Disabled after failing/)).not.toBeInTheDocument());
    expect(within(screen.getByRole("table", { name: "Webhooks" })).getAllByRole("row")[2]).toHaveTextContent("Active");
  });

  it("adds an endpoint with a generated secret and the chosen events", async () => {
    let created: Webhook | undefined;
    const api = mockApi({
      [`GET ${BASE}`]: () => ({ items: created ? [created] : [] }),
      [`POST ${BASE}`]: (call) => {
        created = hook(7, { url: (call.body as { url: string }).url, events: ["build.canceled"] });
        return jsonResponse(201, created);
      },
      [`GET ${BASE}/7/deliveries`]: () => ({ items: [], nextCursor: null }),
    });
    await renderPage(<WebhookSettings project="acme" />);
    expect(await screen.findByText("No webhooks yet.")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Add webhook" }));
    const dialog = await findDialog("Add webhook");
    await user.type(within(dialog).getByLabelText("Payload URL"), "https://ci.example.org/hook");
    await user.click(within(dialog).getByRole("button", { name: "Generate" }));
    await user.click(within(dialog).getByRole("checkbox", { name: /Bulk operation completed/ }));
    await user.click(within(dialog).getByRole("checkbox", { name: /Build canceled/ }));
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(api.callsTo("POST", BASE)).toHaveLength(1));
    const body = api.callsTo("POST", BASE)[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ url: "https://ci.example.org/hook", events: ["build.canceled"], active: true });
    expect(String(body.secret)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await screen.findByText("https://ci.example.org/hook", { selector: "code" })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Deliveries to https://ci.example.org/hook" })).toBeInTheDocument();
  });

  it("names a refused address on the URL field and a short secret before sending", async () => {
    const api = mockApi({
      [`GET ${BASE}`]: () => ({ items: [] }),
      [`POST ${BASE}`]: () =>
        jsonResponse(400, {
          error: { code: "webhook_url_not_allowed", message: "url: 10.0.0.5 is a private or loopback address" },
        }),
    });
    await renderPage(<WebhookSettings project="acme" />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add webhook" }));
    const dialog = await findDialog("Add webhook");
    await user.type(within(dialog).getByLabelText("Payload URL"), "http://10.0.0.5/hook");
    await user.type(within(dialog).getByLabelText("Secret"), "short");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(
      await within(dialog).findByText(/Used to sign every request/, { selector: ".ant-form-item-explain-error" }),
    ).toBeInTheDocument();
    expect(api.callsTo("POST", BASE)).toHaveLength(0);

    await user.type(within(dialog).getByLabelText("Secret"), "-but-now-long-enough");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    // The page's words for the code, naming the setting that allows private addresses; never the server's English.
    expect(await within(dialog).findByText(/SLUICE_WEBHOOK_ALLOW_PRIVATE=1/)).toHaveTextContent(
      "Webhooks may only call public http(s) addresses",
    );
    expect(within(dialog).queryByText(/10\.0\.0\.5 is a private/)).not.toBeInTheDocument();
    expect(api.callsTo("POST", BASE)).toHaveLength(1);
  });

  it("in 简体中文 a refused address is refused in Chinese, by its code", async () => {
    mockApi({
      [`GET ${BASE}`]: () => ({ items: [] }),
      [`POST ${BASE}`]: () =>
        jsonResponse(400, {
          error: { code: "webhook_url_not_allowed", message: "url: 10.0.0.5 is a private or loopback address" },
        }),
    });
    await renderPage(<WebhookSettings project="acme" />, { language: "zh-CN" });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "添加 Webhook" }));
    const dialog = await findDialog("添加 Webhook");
    await user.type(within(dialog).getByLabelText("接收地址"), "http://10.0.0.5/hook");
    await user.type(within(dialog).getByLabelText("密钥"), "long-enough-secret-for-the-form-check");
    await user.click(within(dialog).getByRole("button", { name: /保\s*存/ }));
    expect(await within(dialog).findByText(/SLUICE_WEBHOOK_ALLOW_PRIVATE=1/)).toHaveTextContent(
      "Webhook 只能调用公网 http(s) 地址",
    );
    expect(within(dialog).queryByText(/private or loopback/)).not.toBeInTheDocument();
  });

  it("shows the delivery log with each delivery's attempts and payload, and redelivers", async () => {
    const failedThenOk: WebhookDeliveryDetail = {
      ...delivery(31, { attempts: 2 }),
      payload: JSON.stringify({ event: "operation.completed", project: "acme", operation: { id: "op-1" } }),
      attemptLog: [
        { attempt: 1, startedAt: at, durationMs: 30, responseStatus: 500, responseBody: "boom", error: "HTTP 500" },
        { attempt: 2, startedAt: at, durationMs: 12, responseStatus: 200, responseBody: "ok", error: null },
      ],
    };
    const api = mockApi({
      [`GET ${BASE}`]: () => ({ items: [hook(1, { lastDelivery: delivery(31) })] }),
      [`GET ${BASE}/1/deliveries`]: () => ({
        items: [
          delivery(31, { attempts: 2 }),
          delivery(30, { status: "failed", responseStatus: null, error: "ECONNREFUSED" }),
        ],
        nextCursor: null,
      }),
      [`GET ${BASE}/1/deliveries/31`]: () => failedThenOk,
      [`POST ${BASE}/1/deliveries/31/redeliver`]: () =>
        jsonResponse(202, delivery(32, { status: "pending", redeliveryOf: 31 })),
    });
    await renderPage(<WebhookSettings project="acme" />);
    const log = await screen.findByRole("table", { name: "Recent deliveries" });
    await waitFor(() => expect(within(log).getAllByRole("row")).toHaveLength(3));
    const [, first, second] = within(log).getAllByRole("row") as HTMLElement[];
    expect(first).toHaveTextContent("#31 Bulk operation completed");
    expect(first).toHaveTextContent("Delivered");
    expect(second).toHaveTextContent("Failed");
    expect(second).toHaveTextContent("ECONNREFUSED");

    const user = userEvent.setup();
    await user.click(within(first as HTMLElement).getByRole("button", { name: /expand/i }));
    const attempts = await screen.findByRole("list", { name: "Attempts" });
    expect(within(attempts).getAllByRole("listitem")).toHaveLength(2);
    expect(within(attempts).getAllByRole("listitem")[0]).toHaveTextContent(/Attempt 1.*Response500.*boom/);
    expect(screen.getByRole("region", { name: "Payload" })).toHaveTextContent('"id": "op-1"');

    await user.click(within(first as HTMLElement).getByRole("button", { name: "Redeliver #31" }));
    await waitFor(() => expect(api.callsTo("POST", `${BASE}/1/deliveries/31/redeliver`)).toHaveLength(1));
  });

  it("in 简体中文 the delivery log's statuses and errors are Chinese, by the engine's codes", async () => {
    mockApi({
      [`GET ${BASE}`]: () => ({ items: [hook(1)] }),
      [`GET ${BASE}/1/deliveries`]: () => ({
        items: [
          delivery(42, { status: "failed", responseStatus: null, error: "no answer within 5s" }),
          delivery(41, {
            status: "failed",
            responseStatus: null,
            error: "ECONNREFUSED: connect ECONNREFUSED 10.1.1.1:80",
          }),
          delivery(40, {
            status: "refused",
            responseStatus: null,
            error: "webhook_url_not_allowed: 10.0.0.5 is private",
          }),
        ],
        nextCursor: null,
      }),
    });
    await renderPage(<WebhookSettings project="acme" />, { language: "zh-CN" });
    const log = await screen.findByRole("table", { name: "最近的投递" });
    await waitFor(() => expect(within(log).getAllByRole("row")).toHaveLength(4));
    const [, timeout, refusedConnection, privateAddress] = within(log).getAllByRole("row") as HTMLElement[];
    expect(timeout).toHaveTextContent("失败");
    expect(timeout).toHaveTextContent("5 秒内无应答");
    expect(refusedConnection).toHaveTextContent("连接被拒绝（ECONNREFUSED）");
    expect(privateAddress).toHaveTextContent("已拒绝：私有地址");
    expect(privateAddress).toHaveTextContent("SLUICE_WEBHOOK_ALLOW_PRIVATE=1");
    expect(log).not.toHaveTextContent(/no answer|connect ECONNREFUSED|is private/);
  });

  it("tells someone who is not a maintainer that the settings are not theirs", async () => {
    mockApi({
      [`GET ${BASE}`]: () => jsonResponse(403, { error: { code: "forbidden", message: "maintainer needed" } }),
    });
    await renderPage(<WebhookSettings project="acme" />);
    expect(await screen.findByRole("note")).toHaveTextContent("Only maintainers of this project");
    expect(screen.queryByRole("button", { name: "Add webhook" })).not.toBeInTheDocument();
  });
});
