import { PlayCircleOutlined } from "@ant-design/icons";
import type { DeclaredParam } from "@common/bff-api.ts";
import { Alert, Button, Form, Input, Modal, Select } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { useDialogFocus } from "../../../components/dialog-focus.tsx";
import { WhyDisabled } from "../../../components/why-disabled.tsx";
import { buildPath } from "../../../lib/build-path.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNotifications } from "../../../lib/notifications.tsx";
import { useTriggerBuild } from "../api/trigger-build.ts";

type Props = {
  project: string;
  pipeline: string;
  /** The parameters the pipeline declares, with their defaults and options. */
  params: Record<string, DeclaredParam>;
  canTrigger: boolean;
};

/** "Run build" for developers: branch, commit and the pipeline's declared parameters. */
export function RunBuild({ project, pipeline, params, canTrigger }: Props) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <WhyDisabled why={canTrigger ? null : t.history.noTriggerPermission}>
        <Button icon={<PlayCircleOutlined aria-hidden />} disabled={!canTrigger} onClick={() => setOpen(true)}>
          {t.history.runBuild}
        </Button>
      </WhyDisabled>
      {open && <RunBuildDialog project={project} pipeline={pipeline} params={params} onClose={() => setOpen(false)} />}
    </>
  );
}

type Values = { branch: string; commit?: string; params?: Record<string, string> };

function RunBuildDialog({ project, pipeline, params, onClose }: Omit<Props, "canTrigger"> & { onClose: () => void }) {
  const { t } = useI18n();
  const notification = useNotifications();
  const { modalRender } = useDialogFocus();
  const [form] = Form.useForm<Values>();
  const trigger = useTriggerBuild({
    onSuccess: ({ build }) => {
      notification.success({
        title: t.history.buildStarted(build.number),
        description: <Link to={buildPath(build)}>{t.history.openBuild(build.number)}</Link>,
        duration: 10,
      });
      onClose();
    },
  });
  const names = Object.keys(params).sort();
  const initial: Values = {
    branch: "main",
    params: Object.fromEntries(names.map((name) => [name, params[name]?.default ?? ""])),
  };

  const submit = (values: Values) => {
    const commit = values.commit?.trim();
    const set = Object.fromEntries(Object.entries(values.params ?? {}).filter(([, v]) => v !== "" && v !== undefined));
    trigger.mutate({
      project,
      pipeline,
      request: { branch: values.branch.trim(), ...(commit ? { commit } : {}), params: set },
    });
  };

  return (
    <Modal
      open
      title={t.history.runBuildTitle(pipeline)}
      onCancel={onClose}
      modalRender={modalRender}
      okText={t.history.runBuild}
      cancelText={t.rerunDialog.keep}
      onOk={() => form.submit()}
      okButtonProps={{ loading: trigger.isPending }}
    >
      <Form<Values> form={form} layout="vertical" initialValues={initial} onFinish={submit} requiredMark={false}>
        <Form.Item
          label={t.history.branch}
          name="branch"
          rules={[{ required: true, whitespace: true, message: t.history.branchRequired }]}
        >
          <Input autoFocus />
        </Form.Item>
        <Form.Item
          label={t.history.commitOptional}
          name="commit"
          rules={[{ pattern: /^\s*([0-9a-f]{7,64})?\s*$/i, message: t.history.commitInvalid }]}
        >
          <Input />
        </Form.Item>
        {names.map((name) => {
          const param = params[name] ?? {};
          return (
            <Form.Item key={name} label={name} name={["params", name]} extra={param.description}>
              {param.options ? (
                <Select aria-label={name} options={param.options.map((o) => ({ value: o, label: o }))} />
              ) : (
                <Input />
              )}
            </Form.Item>
          );
        })}
        {trigger.error && (
          <Alert type="error" showIcon role="alert" title={t.history.runFailed(errorMessage(trigger.error, t))} />
        )}
      </Form>
    </Modal>
  );
}
