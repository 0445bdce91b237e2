import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

/** Each build runs until the file its MARKER param names exists. */
const untilMarker = {
  params: { MARKER: { description: "the file that ends the build" } },
  cancelGraceSeconds: 2,
  stages: [
    {
      name: "main",
      jobs: [{ name: "work", steps: [{ run: 'echo started; while [ ! -f "$MARKER" ]; do sleep 0.1; done' }] }],
    },
  ],
};

test("a build that finishes between the tick and the confirm is reported as already finished and keeps its status", async ({
  page,
  api,
  makePipeline,
}) => {
  const pipeline = await makePipeline(untilMarker);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-marker-"));
  fs.chmodSync(dir, 0o755); // steps run as the unprivileged step user
  const markers = [0, 1, 2].map(() => path.join(dir, crypto.randomUUID()));
  const builds: { id: number; number: number }[] = [];
  for (const marker of markers) builds.push(await pipeline.trigger({ params: { MARKER: marker } }));
  await pipeline.waitForCounts((c) => c.RUNNING === 3);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await history.tick(...builds.map((b) => b.number));
  await history.cancelSelected().click();
  await expect(history.dialog().root()).toContainText("3 builds");

  // While the dialog is open, the first build finishes on its own.
  fs.writeFileSync(markers[0]!, "done");
  await expect.poll(async () => (await api.build(builds[0]!.id)).status).toBe("SUCCEEDED");
  await history.dialog().confirmWith();

  await history.toast().expectSummary("2 canceled · 1 had already finished · 0 failed");
  await history.expectStatus(builds[0]!.number, "Succeeded");
  await history.expectStatus(builds[1]!.number, "Canceled");
  await history.expectStatus(builds[2]!.number, "Canceled");
  fs.rmSync(dir, { recursive: true, force: true });
});
