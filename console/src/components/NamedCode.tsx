import type { HTMLAttributes } from 'react';

interface NamedCodeProps extends HTMLAttributes<HTMLSpanElement> {
  /** What a person reads (null: the code has no name, and shows alone). */
  readonly name: string | null | undefined;
  readonly code: string;
  readonly [data: `data-${string}`]: string | undefined;
}

/** A code as a person reads it: its name, then the code itself in small grey text. */
export function NamedCode({ name, code, ...attributes }: NamedCodeProps) {
  return (
    <span {...attributes}>
      {name ? <span>{name} </span> : null}
      <code className="muted small">{code}</code>
    </span>
  );
}
