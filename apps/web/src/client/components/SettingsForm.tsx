import { DETECTOR_KINDS, type DetectorKind } from "@emote/contracts";
import { useState, type FormEvent } from "react";
import { fieldError, generalError } from "../field-errors.ts";
import {
  checkSettingsField,
  checkSurgeKnob,
  SETTINGS_BOUNDS,
  SURGE_BOUNDS,
  SURGE_LABELS,
  type SurgeKnob,
  SETTINGS_LABELS,
  SETTINGS_RULES,
  serverSettingsMessage,
  type SettingsField,
} from "../settings-validation.ts";
import { trpc, type Settings } from "../trpc.ts";
import { FormField } from "./FormField.tsx";

interface Props {
  streamerId: string;
  settings: Settings;
  /** Why the caller may not edit, or null. */
  readOnly: string | null;
}

/** Edits in progress, as typed; a field left alone shows the server's value. */
interface Draft {
  interval?: string;
  threshold?: string;
  allowedEmotes?: string;
  detectors?: DetectorKind[];
  sensitivity?: string;
  minViewers?: string;
  cooldownMs?: string;
}

const SURGE_KNOBS: readonly SurgeKnob[] = ["sensitivity", "minViewers", "cooldownMs"];

const DETECTOR_TEXT: Record<DetectorKind, { label: string; hint: string }> = {
  // Not "Threshold": that names the number field above.
  threshold: { label: "Original rule", hint: "an emote's share of a minute, as set above" },
  surge: { label: "Highlights (surge)", hint: "a jump of one emote that many viewers join" },
};

export function parseEmotes(text: string): string[] {
  return text.split(/[\s,]+/u).filter(Boolean);
}

/** Numbers as typed; an empty field is NaN, which the check names like any other wrong number. */
function toNumber(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

type FieldMessages = Partial<Record<SettingsField | SurgeKnob, string>>;

/** The fields being changed, as the server takes them. */
function changesOf(draft: Draft) {
  return {
    ...(draft.interval !== undefined && { interval: toNumber(draft.interval) }),
    ...(draft.threshold !== undefined && { threshold: toNumber(draft.threshold) }),
    ...(draft.allowedEmotes !== undefined && { allowedEmotes: parseEmotes(draft.allowedEmotes) }),
    ...(draft.detectors !== undefined && { detectors: draft.detectors }),
    ...(SURGE_KNOBS.some((k) => draft[k] !== undefined) && { surge: surgeChanges(draft) }),
  };
}

/** Only the knobs being changed: the server keeps the others. */
function surgeChanges(draft: Draft): Partial<Record<SurgeKnob, number>> {
  const changes: Partial<Record<SurgeKnob, number>> = {};
  for (const knob of SURGE_KNOBS) {
    const text = draft[knob];
    if (text !== undefined) changes[knob] = toNumber(text);
  }
  return changes;
}

/** What is wrong with the changes, field by field, in the words the server would use. */
function checkChanges(changes: ReturnType<typeof changesOf>): FieldMessages {
  const messages: FieldMessages = {};
  if (changes.interval !== undefined) messages.interval = checkSettingsField("interval", changes.interval);
  if (changes.threshold !== undefined)
    messages.threshold = checkSettingsField("threshold", changes.threshold);
  if (changes.allowedEmotes !== undefined)
    messages.allowedEmotes = checkSettingsField("allowedEmotes", changes.allowedEmotes);
  if (changes.detectors !== undefined)
    messages.detectors = checkSettingsField("detectors", changes.detectors);
  for (const knob of SURGE_KNOBS) {
    const value = changes.surge?.[knob];
    if (value !== undefined) messages[knob] = checkSurgeKnob(knob, value);
  }
  return messages;
}

export function SettingsForm({ streamerId, settings, readOnly }: Props) {
  const utils = trpc.useUtils();
  const [draft, setDraft] = useState<Draft>({});
  const [saved, setSaved] = useState(false);
  const [checked, setChecked] = useState<FieldMessages>({});
  const update = trpc.settings.update.useMutation({
    onSuccess(next) {
      utils.settings.get.setData({ streamerId }, next);
      void utils.audit.list.invalidate({ streamerId });
      setDraft({});
      setSaved(true);
    },
  });

  const interval = draft.interval ?? String(settings.interval);
  const threshold = draft.threshold ?? String(settings.threshold);
  const allowedEmotes = draft.allowedEmotes ?? settings.allowedEmotes.join(" ");
  const detectors = draft.detectors ?? settings.detectors;
  const knob = (k: SurgeKnob) => draft[k] ?? String(settings.surge[k]);
  const edit = (patch: Draft) => {
    setDraft((d) => ({ ...d, ...patch }));
    // A field's message goes once it is edited; the others stay until the next save.
    setChecked((c) => {
      const next = { ...c };
      for (const field of Object.keys(patch) as (keyof FieldMessages)[]) delete next[field];
      return next;
    });
    setSaved(false);
  };
  const dirty = Object.keys(draft).length > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes = changesOf(draft);
    const messages = checkChanges(changes);
    setChecked(messages);
    if (Object.values(messages).some(Boolean)) return;
    update.mutate({ streamerId, ...changes });
  };

  const error = update.error;
  const problem = generalError(error);
  const messageFor = (field: SettingsField) =>
    checked[field] ?? serverSettingsMessage(field, fieldError(error, field));
  // The server names the surge object; its message says which knob.
  const surgeServerMessage = serverSettingsMessage("surge", fieldError(error, "surge"));
  const toggleDetector = (kind: DetectorKind, on: boolean) =>
    edit({ detectors: DETECTOR_KINDS.filter((k) => (k === kind ? on : detectors.includes(k))) });
  const emotePreview = parseEmotes(allowedEmotes);

  return (
    <form
      className="settings"
      onSubmit={submit}
      noValidate
      aria-label={`Analysis settings for ${streamerId}`}
    >
      {readOnly ? (
        <p className="notice" role="note" data-testid="settings-read-only">
          {readOnly}
        </p>
      ) : null}
      <fieldset disabled={readOnly !== null || update.isPending}>
        <legend className="visually-hidden">Analysis settings for {streamerId}</legend>
        <div className="settings__numbers">
          <FormField
            label={SETTINGS_LABELS.interval}
            name="interval"
            type="number"
            inputMode="numeric"
            min={SETTINGS_BOUNDS.interval.min}
            max={SETTINGS_BOUNDS.interval.max}
            step={1}
            hint={`Messages per analysed batch: ${SETTINGS_RULES.interval}.`}
            value={interval}
            onValue={(v) => edit({ interval: v })}
            error={messageFor("interval")}
          />
          <FormField
            label={SETTINGS_LABELS.threshold}
            name="threshold"
            type="number"
            inputMode="decimal"
            min={SETTINGS_BOUNDS.threshold.min}
            max={SETTINGS_BOUNDS.threshold.max}
            step={0.01}
            hint={`An emote's share of a minute that makes a moment: ${SETTINGS_RULES.threshold}.`}
            value={threshold}
            onValue={(v) => edit({ threshold: v })}
            error={messageFor("threshold")}
          />
        </div>
        <FormField
          label={SETTINGS_LABELS.allowedEmotes}
          name="allowedEmotes"
          type="text"
          autoComplete="off"
          spellCheck={false}
          hint="Separated by spaces. Other emotes are ignored by the analysis."
          value={allowedEmotes}
          onValue={(v) => edit({ allowedEmotes: v })}
          error={messageFor("allowedEmotes")}
        />
        <ul className="chips" aria-label="Allowed emotes as entered">
          {emotePreview.map((e, i) => (
            <li key={`${e}-${i}`} className="chip">
              {e}
            </li>
          ))}
        </ul>
        <fieldset
          className="settings__detectors"
          aria-describedby={messageFor("detectors") ? "detectors-error" : undefined}
        >
          <legend>{SETTINGS_LABELS.detectors}</legend>
          {DETECTOR_KINDS.map((kind) => (
            <label key={kind} className="check">
              <input
                type="checkbox"
                name="detectors"
                value={kind}
                checked={detectors.includes(kind)}
                onChange={(e) => toggleDetector(kind, e.target.checked)}
              />
              <span>
                {DETECTOR_TEXT[kind].label} <span className="muted">· {DETECTOR_TEXT[kind].hint}</span>
              </span>
            </label>
          ))}
          {messageFor("detectors") ? (
            <p id="detectors-error" className="field__error" role="alert">
              {messageFor("detectors")}
            </p>
          ) : null}
        </fieldset>
        <div className="settings__numbers">
          <FormField
            label={SURGE_LABELS.sensitivity}
            name="sensitivity"
            type="number"
            inputMode="decimal"
            min={SURGE_BOUNDS.sensitivity.min}
            max={SURGE_BOUNDS.sensitivity.max}
            step={0.05}
            hint="0 only the strongest surges, 1 the faintest."
            value={knob("sensitivity")}
            onValue={(v) => edit({ sensitivity: v })}
            error={checked.sensitivity}
          />
          <FormField
            label={SURGE_LABELS.minViewers}
            name="minViewers"
            type="number"
            inputMode="numeric"
            min={SURGE_BOUNDS.minViewers.min}
            max={SURGE_BOUNDS.minViewers.max}
            step={1}
            hint="Distinct viewers a surge needs."
            value={knob("minViewers")}
            onValue={(v) => edit({ minViewers: v })}
            error={checked.minViewers}
          />
          <FormField
            label={SURGE_LABELS.cooldownMs}
            name="cooldownMs"
            type="number"
            inputMode="numeric"
            min={SURGE_BOUNDS.cooldownMs.min}
            max={SURGE_BOUNDS.cooldownMs.max}
            step={1000}
            hint="Quiet time per emote after a surge."
            value={knob("cooldownMs")}
            onValue={(v) => edit({ cooldownMs: v })}
            error={checked.cooldownMs}
          />
        </div>
        {surgeServerMessage && !SURGE_KNOBS.some((k) => checked[k]) ? (
          <p className="field__error" role="alert">
            {surgeServerMessage}
          </p>
        ) : null}
        <div className="settings__actions">
          <button type="submit" className="button button--primary" disabled={!dirty}>
            {update.isPending ? "Saving…" : "Save settings"}
          </button>
          {dirty ? (
            <button
              type="button"
              className="button button--quiet"
              onClick={() => {
                setDraft({});
                setChecked({});
                update.reset();
              }}
            >
              Discard changes
            </button>
          ) : null}
          <span className="settings__status" role="status" aria-live="polite">
            {saved ? "Saved. Workers use it from their next batch." : ""}
          </span>
        </div>
        {problem ? (
          <p className="form-error" role="alert">
            {problem}
          </p>
        ) : null}
      </fieldset>
    </form>
  );
}
