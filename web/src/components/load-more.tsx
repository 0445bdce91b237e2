import { Button, Flex, Typography } from "antd";
import { useEffect, useRef } from "react";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";

type Props = {
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
  label: string;
  doneLabel?: string;
};

/** Infinite scroll with a button fallback: the next page loads when the button scrolls into view, or on click. */
export function LoadMore({ hasMore, loading, onLoad, label, doneLabel }: Props) {
  const { t } = useI18n();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element || !hasMore || loading || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onLoad();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, loading, onLoad]);

  if (!hasMore) {
    return doneLabel ? (
      <Flex justify="center" style={{ padding: 12 }}>
        <Typography.Text type="secondary">{doneLabel}</Typography.Text>
      </Flex>
    ) : null;
  }
  return (
    <Flex justify="center" style={{ padding: 12 }} ref={ref}>
      <Button onClick={onLoad} loading={loading}>
        {loading ? t.app.loading : label}
      </Button>
    </Flex>
  );
}
