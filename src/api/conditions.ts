// Condition types and reasons of ImageBuild status. Reasons are API: tools
// (kubectl wait, kstatus, Argo CD health checks, alerts) match on them, so they
// are named constants and never built from strings at the call site.

export const ConditionType = {
  /** True when every requested image of the observed generation is in the registry. */
  Ready: 'Ready',
  /** kstatus "abnormal-true": True while work for the current generation is in progress. */
  Reconciling: 'Reconciling',
  /** kstatus "abnormal-true": True when the build cannot go on without a change by the user. */
  Stalled: 'Stalled',
  /** Whether spec.config rendered, parsed and planned. */
  ConfigValid: 'ConfigValid',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const Reason = {
  // Progress and success.
  Succeeded: 'Succeeded',
  Progressing: 'Progressing',
  Building: 'Building',
  Suspended: 'Suspended',
  ConfigValid: 'ConfigValid',
  NoError: 'NoError',
  // Configuration.
  ConfigInvalid: 'ConfigInvalid',
  ConfigNotFound: 'ConfigNotFound',
  // Registry.
  RegistryAuth: 'RegistryAuth',
  RegistryUnavailable: 'RegistryUnavailable',
  DigestMismatch: 'DigestMismatch',
  // A pass failed for a reason it could not classify; retried with backoff.
  RetryingAfterError: 'RetryingAfterError',
  // Git sources (src/git/errors.ts GitErrorReason).
  GitAuth: 'GitAuth',
  GitRevisionNotFound: 'GitRevisionNotFound',
  GitMappingInvalid: 'GitMappingInvalid',
  GitCredentialsInvalid: 'GitCredentialsInvalid',
  GitFetchFailed: 'GitFetchFailed',
  // Build pods.
  SecretNotFound: 'SecretNotFound',
  ImageNotFound: 'ImageNotFound',
  ImportNotFound: 'ImportNotFound',
  PodRejected: 'PodRejected',
  OOMKilled: 'OOMKilled',
  Evicted: 'Evicted',
  EphemeralStorageExceeded: 'EphemeralStorageExceeded',
  DeadlineExceeded: 'DeadlineExceeded',
  BuildFailed: 'BuildFailed',
  Canceled: 'Canceled',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Reasons that end a build until the user changes something (Stalled=True). */
export const TERMINAL_REASONS: ReadonlySet<string> = new Set<Reason>([
  Reason.ConfigInvalid,
  Reason.ConfigNotFound,
  Reason.RegistryAuth,
  Reason.DigestMismatch,
  Reason.GitAuth,
  Reason.GitRevisionNotFound,
  Reason.GitMappingInvalid,
  Reason.GitCredentialsInvalid,
  Reason.SecretNotFound,
  Reason.ImageNotFound,
  Reason.ImportNotFound,
  Reason.PodRejected,
  Reason.OOMKilled,
  Reason.Evicted,
  Reason.EphemeralStorageExceeded,
  Reason.DeadlineExceeded,
  Reason.BuildFailed,
  Reason.Canceled,
]);
