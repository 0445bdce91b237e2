import { lazy } from "react";
import { createBrowserRouter, type RouteObject } from "react-router";
import { RootLayout } from "./layout/root-layout.tsx";
import { SessionLayout } from "./layout/session-layout.tsx";
import { RouteError } from "./routes/route-error.tsx";

// Each page is its own chunk: the sign-in page does not download the history table.
const SignInRoute = lazy(() => import("./routes/sign-in.tsx").then((m) => ({ default: m.SignInRoute })));
const ProjectsRoute = lazy(() => import("./routes/projects.tsx").then((m) => ({ default: m.ProjectsRoute })));
const ProjectRoute = lazy(() => import("./routes/project.tsx").then((m) => ({ default: m.ProjectRoute })));
const PipelineHistoryRoute = lazy(() =>
  import("./routes/pipeline-history.tsx").then((m) => ({ default: m.PipelineHistoryRoute })),
);
const BuildRoute = lazy(() => import("./routes/build.tsx").then((m) => ({ default: m.BuildRoute })));
const BuildIdRoute = lazy(() => import("./routes/build.tsx").then((m) => ({ default: m.BuildIdRoute })));
const OperationRoute = lazy(() => import("./routes/operation.tsx").then((m) => ({ default: m.OperationRoute })));
const OperationsRoute = lazy(() => import("./routes/operations.tsx").then((m) => ({ default: m.OperationsRoute })));
const AuditRoute = lazy(() => import("./routes/audit.tsx").then((m) => ({ default: m.AuditRoute })));
const WebhookSettingsRoute = lazy(() =>
  import("./routes/webhook-settings.tsx").then((m) => ({ default: m.WebhookSettingsRoute })),
);
const NotFoundRoute = lazy(() => import("./routes/not-found.tsx").then((m) => ({ default: m.NotFoundRoute })));

export const routes: RouteObject[] = [
  {
    element: <RootLayout />,
    errorElement: <RouteError />,
    children: [
      { path: "/sign-in", element: <SignInRoute /> },
      {
        element: <SessionLayout />,
        children: [
          { path: "/", element: <ProjectsRoute /> },
          { path: "/projects/:project", element: <ProjectRoute /> },
          { path: "/projects/:project/pipelines/:pipeline", element: <PipelineHistoryRoute /> },
          { path: "/projects/:project/operations", element: <OperationsRoute /> },
          { path: "/projects/:project/audit", element: <AuditRoute /> },
          { path: "/projects/:project/settings/webhooks", element: <WebhookSettingsRoute /> },
          { path: "/projects/:project/pipelines/:pipeline/builds/:number", element: <BuildRoute /> },
          { path: "/builds/:id", element: <BuildIdRoute /> },
          { path: "/operations/:id", element: <OperationRoute /> },
          { path: "*", element: <NotFoundRoute /> },
        ],
      },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
