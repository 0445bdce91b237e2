import { AutoComplete } from "antd";
import { useEffect, useEffectEvent, useMemo, useRef, useState } from "react";

type Props = {
  label: string;
  placeholder: string;
  /** The applied value (from the URL). */
  value: string;
  onChange: (value: string) => void;
  /** Values seen on screen, offered as suggestions. */
  suggestions: readonly string[];
  width?: number;
};

const TYPING_PAUSE_MS = 400;

/** A free-text filter that applies once typing pauses, on Enter, or on picking a suggestion. */
export function TextFilter({ label, placeholder, value, onChange, suggestions, width = 200 }: Props) {
  const [text, setText] = useState(value);
  const sent = useRef(value);
  const apply = (next: string) => {
    sent.current = next.trim();
    onChange(next.trim());
  };
  // Applied already (Enter, a suggestion): the pause must not send it again — by then "Clear
  // filters" may have emptied it, and a late second send brought the old value back.
  const applyAfterPause = useEffectEvent((next: string) => {
    if (next.trim() !== sent.current) apply(next);
  });

  // The URL changed under us (back/forward, "Clear filters"), not through typing here.
  useEffect(() => {
    if (value === sent.current) return;
    sent.current = value;
    setText(value);
  }, [value]);
  useEffect(() => {
    if (text.trim() === sent.current) return;
    const timer = setTimeout(() => applyAfterPause(text), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const options = useMemo(
    () =>
      [...new Set(suggestions)]
        .filter((s) => s.toLowerCase().includes(text.toLowerCase()))
        .slice(0, 20)
        .map((s) => ({ value: s })),
    [suggestions, text],
  );
  return (
    <AutoComplete
      aria-label={label}
      placeholder={placeholder}
      style={{ width }}
      allowClear
      value={text}
      options={options}
      onChange={(next) => setText(next ?? "")}
      onSelect={(next: string) => apply(next)}
      onKeyDown={(event) => {
        if (event.key === "Enter") apply(text);
      }}
    />
  );
}
