import { ConditionType, Reason } from '../api/conditions.js';
import type { Condition } from '../api/imagebuild.js';

// The summary conditions of an ImageBuild from the outcome of one pass, as
// kstatus, Flux, Argo CD and `kubectl wait` read them: Ready, Reconciling and
// Stalled (abnormal-true), ConfigValid, each with observedGeneration; the
// transition time moves only when a condition's status flips.

export type BuildOutcome =
  | { kind: 'ready'; message: string }
  | { kind: 'progressing'; reason: string; message: string }
  | { kind: 'suspended'; message: string }
  | { kind: 'stalled'; reason: string; message: string };

export interface ConditionInput {
  outcome: BuildOutcome;
  configValid: { ok: true } | { ok: false; reason: string; message: string } | undefined;
  generation: number;
  now: string;
  previous: readonly Condition[];
}

type Status = Condition['status'];

function make(
  type: string,
  status: Status,
  reason: string,
  message: string,
  input: ConditionInput,
): Condition {
  const prev = input.previous.find((c) => c.type === type);
  return {
    type,
    status,
    observedGeneration: input.generation,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : input.now,
    reason,
    message: message.slice(0, 32768),
  };
}

export function buildConditions(input: ConditionInput): Condition[] {
  const { outcome } = input;
  const out: Condition[] = [];
  switch (outcome.kind) {
    case 'ready':
      out.push(make(ConditionType.Ready, 'True', Reason.Succeeded, outcome.message, input));
      out.push(make(ConditionType.Reconciling, 'False', Reason.Succeeded, '', input));
      out.push(make(ConditionType.Stalled, 'False', Reason.NoError, '', input));
      break;
    case 'progressing':
      out.push(make(ConditionType.Ready, 'False', outcome.reason, outcome.message, input));
      out.push(make(ConditionType.Reconciling, 'True', outcome.reason, outcome.message, input));
      out.push(make(ConditionType.Stalled, 'False', Reason.NoError, '', input));
      break;
    case 'suspended':
      out.push(make(ConditionType.Ready, 'False', Reason.Suspended, outcome.message, input));
      out.push(make(ConditionType.Reconciling, 'False', Reason.Suspended, outcome.message, input));
      out.push(make(ConditionType.Stalled, 'False', Reason.NoError, '', input));
      break;
    case 'stalled':
      out.push(make(ConditionType.Ready, 'False', outcome.reason, outcome.message, input));
      out.push(make(ConditionType.Reconciling, 'False', outcome.reason, '', input));
      out.push(make(ConditionType.Stalled, 'True', outcome.reason, outcome.message, input));
      break;
  }
  const cv = input.configValid;
  if (cv) {
    out.push(
      cv.ok
        ? make(ConditionType.ConfigValid, 'True', Reason.ConfigValid, '', input)
        : make(ConditionType.ConfigValid, 'False', cv.reason, cv.message, input),
    );
  }
  return out;
}
