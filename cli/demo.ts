/**
 * The demo seed: a `demo` project whose pipelines run for minutes (sleeping steps that print
 * progress), topped up at every start so there is always something to cancel.
 */
import crypto from "node:crypto";
import type { EngineContext } from "../engine/context.ts";
import { triggerBuild } from "../engine/use-cases/builds/trigger.ts";
import { putPipeline, putProject } from "../engine/use-cases/catalog/catalog.ts";
import { type Actor, secret } from "../engine/use-cases/identity/identity.ts";
import { createUser, setMember } from "../engine/use-cases/users/users.ts";

const progress = (what: string, seconds: number) =>
  `for i in $(seq 1 ${seconds}); do echo "${what} $i/${seconds}"; sleep 1; done`;

export const DEMO_PIPELINES: Record<string, object> = {
  "web-app": {
    cancelGraceSeconds: 5,
    stages: [
      {
        name: "build",
        jobs: [
          {
            name: "compile",
            steps: [
              { name: "install", run: progress("installing dependencies", 20) },
              { name: "compile", run: progress("compiling module", 600) },
            ],
          },
        ],
      },
      {
        name: "test",
        jobs: [
          { name: "unit", steps: [{ run: progress("running unit tests", 300) }] },
          { name: "lint", steps: [{ run: progress("linting file", 120) }] },
        ],
      },
    ],
  },
  "nightly-e2e": {
    cancelGraceSeconds: 10,
    stages: [
      {
        name: "e2e",
        jobs: [{ name: "browser-tests", timeoutMinutes: 60, steps: [{ run: progress("e2e scenario", 1800) }] }],
      },
    ],
  },
  deploy: {
    concurrency: { group: "deploy-${{ branch }}", cancelInProgress: true },
    cancelGraceSeconds: 5,
    stages: [{ name: "deploy", jobs: [{ name: "rollout", steps: [{ run: progress("rolling out replica", 900) }] }] }],
  },
};

const BRANCHES = ["main", "feature/login", "fix/flaky-test", "release/2.4", "feature/dark-mode"];

/** Demo users next to admin: `dev` (developer) and `viewer` (viewer) on `demo`, passwords in the data dir. */
export const DEMO_USERS = [
  { username: "dev", role: "developer" },
  { username: "viewer", role: "viewer" },
] as const;

/** The file in the data dir that holds a demo user's generated password. */
export const demoPasswordFile = (username: string) => `${username}-password`;

export async function seedDemo(ctx: EngineContext, admin: Actor, buildsPerPipeline = 3): Promise<void> {
  await putProject(ctx, admin, "demo", { displayName: "Demo" });
  for (const { username, role } of DEMO_USERS) {
    const password = secret(ctx.settings.dataDir, demoPasswordFile(username), undefined, () =>
      crypto.randomBytes(9).toString("base64url"),
    );
    if (!(await ctx.store.identity.findUser({ username })))
      await createUser(ctx, admin, { username, password, isAdmin: false });
    await setMember(ctx, admin, "demo", username, role);
  }
  for (const [name, definition] of Object.entries(DEMO_PIPELINES)) {
    const names = { project: "demo", pipeline: name };
    await putPipeline(ctx, admin, names, definition);
    const pipeline = await ctx.store.projects.findPipeline({
      projectId: (await ctx.store.projects.findProject({ name: "demo" }))!.id,
      name,
    });
    const active = await ctx.store.builds.countByStatus({
      pipelineIds: [pipeline!.id],
      statuses: ["QUEUED", "RUNNING", "CANCELING"],
    });
    const missing = buildsPerPipeline - active.reduce((n, c) => n + c.count, 0);
    for (let i = 0; i < missing; i++) {
      const branch = name === "deploy" ? BRANCHES[i % 2 === 0 ? 0 : 3]! : BRANCHES[i % BRANCHES.length]!;
      const commit = Math.floor(Math.random() * 0xfffffff)
        .toString(16)
        .padStart(7, "0");
      await triggerBuild(ctx, admin, names, { branch, commit, params: {} });
    }
  }
}
