/**
 * Test fixtures: each worker gets its own project (dev is a developer, viewer a viewer and maint
 * a maintainer in it); each test creates its pipelines and builds through the engine API.
 */
import { test as base, expect } from "@playwright/test";
import type { StatusCounts } from "../../common/dto.ts";
import { EngineApi, sleeper } from "./engine-api.ts";

export type PipelineHandle = {
  project: string;
  name: string;
  /** The history page's path. */
  path: string;
  trigger: (body?: object) => Promise<{ id: number; number: number; status: string }>;
  triggerMany: (n: number, body?: object) => Promise<{ id: number; number: number }[]>;
  counts: () => Promise<StatusCounts>;
  waitForCounts: (check: (counts: StatusCounts) => boolean) => Promise<void>;
};

type WorkerFixtures = { api: EngineApi; project: string };
type TestFixtures = { makePipeline: (definition?: object) => Promise<PipelineHandle> };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  api: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      await use(new EngineApi());
    },
    { scope: "worker" },
  ],
  project: [
    async ({ api }, use, workerInfo) => {
      const name = `w${workerInfo.workerIndex}-${Date.now().toString(36)}`;
      await api.project(name);
      await api.member(name, "dev", "developer");
      await api.member(name, "viewer", "viewer");
      await api.member(name, "maint", "maintainer");
      await api.member(name, "tabs", "developer");
      await use(name);
    },
    { scope: "worker" },
  ],
  makePipeline: async ({ api, project }, use, testInfo) => {
    let n = 0;
    await use(async (definition = sleeper()) => {
      // The test id's end is what differs between tests of one file (its start is the file's).
      const name = `t${testInfo.testId
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "")
        .slice(-10)}-${n++}`;
      await api.pipeline(project, name, definition);
      const handle: PipelineHandle = {
        project,
        name,
        path: `/projects/${project}/pipelines/${name}`,
        trigger: (body = {}) => api.trigger(project, name, body),
        triggerMany: async (count, body = {}) => {
          const builds = [];
          for (let i = 0; i < count; i++) builds.push(await api.trigger(project, name, body));
          return builds;
        },
        counts: () => api.counts(project, name),
        waitForCounts: async (check) => {
          await expect.poll(async () => check(await api.counts(project, name)), { timeout: 30_000 }).toBe(true);
        },
      };
      return handle;
    });
  },
});

export { expect };
