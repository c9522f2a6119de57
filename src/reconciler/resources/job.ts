import type { V1Job, V1Toleration } from '@kubernetes/client-node';
import { parseDurationSeconds } from '../../api/duration.js';
import { API_VERSION, type ImageBuild, KIND } from '../../api/imagebuild.js';
import { gitSecretRuleFor, gitSecretRules } from '../../git/scope.js';
import type { PrepareSpec } from '../../plan/prepare-spec.js';
import {
  ANNOTATION_DIGEST,
  ANNOTATION_IMAGE,
  ANNOTATION_REPOSITORY,
  LABEL_BUILD,
  LABEL_IMAGE,
  LABEL_STAGE,
  labelValue,
  MANAGED_BY,
  MANAGER,
  shortHash,
  stageJobName,
} from '../labels.js';

// The build Job of one stage, as a pure function of the ImageBuild, the stage
// and the operator's settings. Two containers share an emptyDir workspace:
// `prepare` (the operator's own image) writes the Dockerfile and the imported
// files; `build` (Kaniko) builds and pushes <repository>:<stage digest> and
// writes the pushed digest to its termination message.

export interface JobSettings {
  /** The operator's image, which runs `stapel-operator prepare`. */
  operatorImage: string;
  /** Executor image used when spec.builder.image is not set. */
  defaultBuilderImage: string;
}

export interface StageToBuild {
  image: string;
  stage: string;
  digest: string;
  prepareSpec: PrepareSpec;
}

export const PREPARE_SPEC_ENV = 'STAPEL_PREPARE_SPEC';
const WORKSPACE = '/workspace';
/** Where prepare reads registry credentials (DOCKER_CONFIG dir holding config.json). */
export const PREPARE_AUTH_DIR = '/var/run/stapel/registry-auth';
/** Where prepare reads the git Secret (spec.source.git.secretRef), one file per key. */
export const PREPARE_GIT_AUTH_DIR = '/var/run/stapel/git-auth';
/** Kaniko's own DOCKER_CONFIG. */
const KANIKO_AUTH_DIR = '/kaniko/.docker';

export function stageDestination(repository: string, digest: string): string {
  return `${repository}:${digest}`;
}

/** The registry host of a repository (`host[:port]/path` -> `host[:port]`). */
export function registryHost(repository: string): string {
  return repository.split('/')[0] ?? repository;
}

export function kanikoArgs(repository: string, digest: string, insecure: boolean): string[] {
  const args = [
    `--context=dir://${WORKSPACE}`,
    `--dockerfile=${WORKSPACE}/Dockerfile`,
    `--destination=${stageDestination(repository, digest)}`,
    '--digest-file=/dev/termination-log',
  ];
  // Push and base-image pulls both go to this registry: stage images are built FROM stage images.
  if (insecure) args.push('--insecure', '--insecure-pull', '--skip-tls-verify', '--skip-tls-verify-pull');
  return args;
}

/**
 * The prepare spec as the pod gets it: each git entry whose remote a Secret
 * serves (spec.gitCredentials, spec.source.git.secretRef: src/git/scope.ts)
 * reads it from that Secret's mounted folder, `<PREPARE_GIT_AUTH_DIR>/<n>`.
 * The credential itself is never in the spec. Returns the Secrets to mount,
 * the n-th at folder n.
 */
export function withGitCredentials(
  spec: PrepareSpec,
  buildSpec: ImageBuild['spec'],
): { spec: PrepareSpec; secretNames: string[] } {
  const rules = gitSecretRules(buildSpec);
  const secretNames: string[] = [];
  const git = spec.git.map((entry) => {
    const rule = gitSecretRuleFor(rules, entry.url);
    if (!rule) return entry;
    let n = secretNames.indexOf(rule.secretName);
    if (n < 0) n = secretNames.push(rule.secretName) - 1;
    return { ...entry, credentialsDir: `${PREPARE_GIT_AUTH_DIR}/${n}` };
  });
  return secretNames.length > 0 ? { spec: { ...spec, git }, secretNames } : { spec, secretNames };
}

export function buildStageJob(build: ImageBuild, stage: StageToBuild, settings: JobSettings): V1Job {
  const { spec, metadata } = build;
  const builder = spec.builder ?? {};
  const secretName = spec.registry.secretRef?.name;
  const prepare = withGitCredentials(stage.prepareSpec, spec);
  const labels = {
    [MANAGED_BY]: MANAGER,
    [LABEL_BUILD]: labelValue(metadata.name),
    [LABEL_IMAGE]: labelValue(stage.image),
    [LABEL_STAGE]: labelValue(stage.stage),
  };
  const authVolume = secretName
    ? [
        {
          name: 'registry-auth',
          secret: {
            secretName,
            items: [{ key: '.dockerconfigjson', path: 'config.json' }],
            defaultMode: 0o400,
          },
        },
      ]
    : [];
  // Owner-read only, like registry-auth: only prepare mounts them; Kaniko never sees a git Secret.
  const gitAuthVolumes = prepare.secretNames.map((name, n) => ({
    name: `git-auth-${n}`,
    secret: { secretName: name, defaultMode: 0o400 },
  }));
  const gitAuthMounts = prepare.secretNames.map((_, n) => ({
    name: `git-auth-${n}`,
    mountPath: `${PREPARE_GIT_AUTH_DIR}/${n}`,
    readOnly: true,
  }));
  const template = {
    metadata: { labels, annotations: { [ANNOTATION_DIGEST]: stage.digest } },
    spec: {
      restartPolicy: 'Never',
      // Build pods never talk to the API server: no token in them.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(builder.serviceAccountName ? { serviceAccountName: builder.serviceAccountName } : {}),
      ...(builder.nodeSelector ? { nodeSelector: builder.nodeSelector } : {}),
      ...(builder.tolerations ? { tolerations: builder.tolerations as V1Toleration[] } : {}),
      volumes: [{ name: 'workspace', emptyDir: {} }, ...authVolume, ...gitAuthVolumes],
      initContainers: [
        {
          name: 'prepare',
          image: settings.operatorImage,
          args: ['prepare', '--spec-env', PREPARE_SPEC_ENV, '--workspace', WORKSPACE],
          env: [
            { name: PREPARE_SPEC_ENV, value: JSON.stringify(prepare.spec) },
            ...(secretName ? [{ name: 'DOCKER_CONFIG', value: PREPARE_AUTH_DIR }] : []),
          ],
          volumeMounts: [
            { name: 'workspace', mountPath: WORKSPACE },
            ...(secretName ? [{ name: 'registry-auth', mountPath: PREPARE_AUTH_DIR, readOnly: true }] : []),
            ...gitAuthMounts,
          ],
          terminationMessagePolicy: 'FallbackToLogsOnError',
          securityContext: { allowPrivilegeEscalation: false },
        },
      ],
      containers: [
        {
          name: 'build',
          image: builder.image ?? settings.defaultBuilderImage,
          args: kanikoArgs(spec.registry.repository, stage.digest, spec.registry.insecure),
          env: secretName ? [{ name: 'DOCKER_CONFIG', value: KANIKO_AUTH_DIR }] : [],
          volumeMounts: [
            { name: 'workspace', mountPath: WORKSPACE },
            ...(secretName ? [{ name: 'registry-auth', mountPath: KANIKO_AUTH_DIR, readOnly: true }] : []),
          ],
          ...(builder.resources ? { resources: builder.resources } : {}),
          ...(builder.securityContext ? { securityContext: builder.securityContext } : {}),
          terminationMessagePolicy: 'FallbackToLogsOnError',
        },
      ],
    },
  };
  const jobSpec = {
    backoffLimit: spec.retries,
    activeDeadlineSeconds: Math.max(1, Math.round(parseDurationSeconds(spec.timeout))),
    ...(spec.jobTTL ? { ttlSecondsAfterFinished: Math.round(parseDurationSeconds(spec.jobTTL)) } : {}),
    template,
  };
  const templateHash = shortHash(JSON.stringify(jobSpec), 16);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: stageJobName(metadata.name, stage.digest, templateHash),
      namespace: metadata.namespace,
      labels,
      annotations: {
        [ANNOTATION_DIGEST]: stage.digest,
        [ANNOTATION_IMAGE]: stage.image,
        [ANNOTATION_REPOSITORY]: spec.registry.repository,
      },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: KIND,
          name: metadata.name,
          uid: metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: jobSpec as V1Job['spec'],
  };
}
