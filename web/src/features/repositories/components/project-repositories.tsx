import type { Repository } from "@common/contract/repositories.ts";
import { Alert, Button, Card, Descriptions, Flex, Popconfirm, Typography } from "antd";
import { useState } from "react";
import { EmptyState, ErrorState, LoadingState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { errorMessage } from "../../../lib/error-message.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNotifications } from "../../../lib/notifications.tsx";
import { useRepositories } from "../api/get-repositories.ts";
import { useRotateHookSecret } from "../api/rotate-hook-secret.ts";
import { RepositoryDeliveries } from "./repository-deliveries.tsx";

/** URLs and secrets are long unbroken words: they wrap anywhere rather than widen a phone's page. */
const WRAP = { wordBreak: "break-all" } as const;

/** The project's repositories for its maintainers: where providers post (hook URL), the hook secret, recent deliveries. */
export function ProjectRepositories({ project }: { project: string }) {
  const { t } = useI18n();
  const repositories = useRepositories(project);
  return (
    <section aria-labelledby="repositories-title">
      <Flex vertical gap={16}>
        <Typography.Title id="repositories-title" level={2} style={{ margin: 0, fontSize: 20 }}>
          {t.repositories.title}
        </Typography.Title>
        <Typography.Text type="secondary">{t.repositories.intro}</Typography.Text>
        {repositories.isPending ? (
          <LoadingState />
        ) : repositories.isError && !repositories.data ? (
          <ErrorState error={repositories.error} onRetry={() => void repositories.refetch()} />
        ) : repositories.data.length === 0 ? (
          <EmptyState>{t.repositories.empty}</EmptyState>
        ) : (
          repositories.data.map((r) => <RepositoryCard key={r.name} repository={r} />)
        )}
      </Flex>
    </section>
  );
}

function RepositoryCard({ repository }: { repository: Repository }) {
  const { t } = useI18n();
  const notifications = useNotifications();
  // The new secret lives only here, in this card's state: never in the query cache, gone on reload.
  const [secret, setSecret] = useState<string | null>(null);
  const rotate = useRotateHookSecret({ onSuccess: (rotated) => setSecret(rotated.hookSecret) });
  return (
    <Card title={repository.name} size="small">
      <Flex vertical gap={16}>
        <Descriptions
          size="small"
          column={1}
          items={[
            { key: "provider", label: t.repositories.provider, children: repository.provider },
            { key: "url", label: t.repositories.cloneUrl, children: <span style={WRAP}>{repository.url}</span> },
            {
              key: "hook",
              label: t.repositories.hookUrl,
              children: (
                <Typography.Text copyable={{ text: repository.hookUrl }} style={WRAP}>
                  {repository.hookUrl}
                </Typography.Text>
              ),
            },
            {
              key: "rotated",
              label: t.repositories.secretRotated,
              children: <RelativeTime value={repository.hookSecretRotatedAt} />,
            },
          ]}
        />
        {secret !== null && (
          <Alert
            type="warning"
            showIcon
            title={t.repositories.newSecretTitle}
            description={
              <Flex vertical gap={4}>
                <Typography.Text code copyable={{ text: secret }} style={WRAP}>
                  {secret}
                </Typography.Text>
                <span>{t.repositories.newSecretHint}</span>
              </Flex>
            }
          />
        )}
        <div>
          <Popconfirm
            title={t.repositories.rotateConfirmTitle}
            description={t.repositories.rotateConfirm}
            okText={t.repositories.rotate}
            cancelText={t.repositories.keepSecret}
            onConfirm={() =>
              rotate.mutateAsync(
                { project: repository.project, repository: repository.name },
                {
                  onError: (err) => notifications.error({ title: t.repositories.rotateFailed(errorMessage(err, t)) }),
                },
              )
            }
          >
            <Button loading={rotate.isPending}>{t.repositories.rotate}</Button>
          </Popconfirm>
        </div>
        <RepositoryDeliveries repository={repository} />
      </Flex>
    </Card>
  );
}
