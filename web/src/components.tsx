import type { ComponentChildren } from 'preact';
import type { FieldErrors } from './logic/forms';
import { errorFor } from './logic/forms';

export function Field(props: { label: string; error?: string; children: ComponentChildren; name?: string; hint?: string }) {
  return (
    <label class={`field${props.error ? ' has-error' : ''}`}>
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint && !props.error ? <span class="field-hint">{props.hint}</span> : null}
      {props.error ? (
        <span class="field-error" data-testid={props.name ? `error-${props.name}` : undefined}>
          {props.error}
        </span>
      ) : null}
    </label>
  );
}

export function fieldError(errors: FieldErrors, name: string): string | undefined {
  return errorFor(errors, name);
}

export function ErrorBanner(props: { messages: string[]; testid?: string }) {
  if (props.messages.length === 0) return null;
  return (
    <div class="banner banner-error" role="alert" data-testid={props.testid ?? 'form-error'}>
      {props.messages.map((m) => (
        <div>{m}</div>
      ))}
    </div>
  );
}

export function Notice(props: { text: string | null; onClose?: () => void; testid?: string; kind?: 'info' | 'error' | 'ok' }) {
  if (!props.text) return null;
  return (
    <div class={`banner banner-${props.kind ?? 'info'}`} data-testid={props.testid ?? 'notice'}>
      <span>{props.text}</span>
      {props.onClose ? (
        <button type="button" class="link" onClick={props.onClose} aria-label="Dismiss">
          ×
        </button>
      ) : null}
    </div>
  );
}

export function Badge(props: { kind: string; children: ComponentChildren; testid?: string }) {
  return (
    <span class={`badge badge-${props.kind}`} data-testid={props.testid}>
      {props.children}
    </span>
  );
}

export function LiveDot(props: { status: 'connecting' | 'open' | 'closed' }) {
  const label = props.status === 'open' ? 'Live' : props.status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span class={`live live-${props.status}`} data-testid="ws-status" data-status={props.status}>
      <span class="dot" />
      {label}
    </span>
  );
}
