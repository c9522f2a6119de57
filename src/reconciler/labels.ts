import { createHash } from 'node:crypto';

// Labels and names of the objects the operator owns. Children are found by
// label (informers are label-selected, so caches stay small) and by owner uid.

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER = 'stapel-operator';
export const LABEL_BUILD = 'stapel.dev/imagebuild';
export const LABEL_IMAGE = 'stapel.dev/image';
export const LABEL_STAGE = 'stapel.dev/stage';
export const ANNOTATION_DIGEST = 'stapel.dev/stage-digest';
export const ANNOTATION_IMAGE = 'stapel.dev/image';
/** The repository a stage Job pushes to: builds that share it share the Job's stage (shared-stages.ts). */
export const ANNOTATION_REPOSITORY = 'stapel.dev/repository';

/** Selector of every child (Jobs and their pods) of any ImageBuild. */
export const CHILD_SELECTOR = `${MANAGED_BY}=${MANAGER},${LABEL_BUILD}`;

/** A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

export function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * The stage Job's name: the ImageBuild's name, the stage digest and a hash of
 * the Job's content, so the same stage of the same build always gets the same
 * name (a restarted operator finds it again), while a changed builder setting
 * makes a new Job instead of an impossible update of an immutable template.
 * 63 characters at most (the Job controller copies it into a label).
 */
export function stageJobName(buildName: string, stageDigest: string, templateHash: string): string {
  const suffix = `-${stageDigest.slice(0, 12)}-${templateHash.slice(0, 6)}`;
  const prefix = buildName.slice(0, 63 - suffix.length).replace(/[-.]+$/, '');
  return `${prefix}${suffix}`;
}
