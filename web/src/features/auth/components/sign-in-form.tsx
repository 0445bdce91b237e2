import type { SessionResponse } from "@common/bff-api.ts";
import { Alert, Button, Form, Input } from "antd";
import { isApiError } from "../../../lib/api-client.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useSignIn } from "../api/sign-in.ts";

type Values = { username: string; password: string };

export function SignInForm({ onSignedIn }: { onSignedIn: (session: SessionResponse) => void }) {
  const { t } = useI18n();
  const signIn = useSignIn({ onSuccess: onSignedIn });

  return (
    <Form<Values>
      layout="vertical"
      requiredMark={false}
      onFinish={(values) => signIn.mutate(values)}
      // A refusal is about the values sent: once they change, or the form refuses them itself, it goes.
      onValuesChange={() => signIn.error && signIn.reset()}
      onFinishFailed={() => signIn.reset()}
      aria-label={t.auth.title}
      disabled={signIn.isPending}
    >
      {signIn.error && (
        <Form.Item>
          <Alert type="error" showIcon title={errorText(signIn.error, t)} />
        </Form.Item>
      )}
      <Form.Item
        label={t.auth.username}
        name="username"
        rules={[{ required: true, whitespace: true, message: t.auth.usernameRequired }]}
      >
        <Input autoComplete="username" autoFocus />
      </Form.Item>
      <Form.Item label={t.auth.password} name="password" rules={[{ required: true, message: t.auth.passwordRequired }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
        {t.auth.signIn}
      </Button>
    </Form>
  );
}

function errorText(error: Error, t: Messages): string {
  if (isApiError(error) && error.status === 401) return t.auth.invalidCredentials;
  if (isApiError(error) && error.status === 429) return t.auth.rateLimited;
  return t.auth.failed(errorMessage(error, t));
}
