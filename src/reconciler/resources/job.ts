import type { V1Job, V1Toleration } from '@kubernetes/client-node';
import { parseDurationSeconds } from '../../api/duration.js';
import { API_VERSION, type ImageBuild, KIND } from '../../api/imagebuild.js';
import { credentialsApply } from '../../git/scope.js';
import type { PrepareSpec } from '../../plan/prepare-spec.js';
import {
  ANNOTATION_DIGEST,
  ANNOTATION_IMAGE,
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
 * The prepare spec as the pod gets it: git entries the Secret applies to
 * (same origin as spec.source.git, src/git/scope.ts) read it from the
 * mounted folder. The credential itself is never in the spec.
 */
export function withGitCredentials(
  spec: PrepareSpec,
  source: { url: string; secretRef?: { name: string } } | undefined,
): { spec: PrepareSpec; secretName: string | undefined } {
  const secretName = source?.secretRef?.name;
  if (!source || !secretName) return { spec, secretName: undefined };
  let used = false;
  const git = spec.git.map((entry) => {
    if (!credentialsApply(source.url, entry.url)) return entry;
    used = true;
    return { ...entry, credentialsDir: PREPARE_GIT_AUTH_DIR };
  });
  return used ? { spec: { ...spec, git }, secretName } : { spec, secretName: undefined };
}

export function buildStageJob(build: ImageBuild, stage: StageToBuild, settings: JobSettings): V1Job {
  const { spec, metadata } = build;
  const builder = spec.builder ?? {};
  const secretName = spec.registry.secretRef?.name;
  const prepare = withGitCredentials(stage.prepareSpec, spec.source?.git);
  const gitSecret = prepare.secretName;
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
  // Owner-read only, like registry-auth: only prepare mounts it; Kaniko never sees the git Secret.
  const gitAuthVolume = gitSecret
    ? [{ name: 'git-auth', secret: { secretName: gitSecret, defaultMode: 0o400 } }]
    : [];
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
      volumes: [{ name: 'workspace', emptyDir: {} }, ...authVolume, ...gitAuthVolume],
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
            ...(gitSecret ? [{ name: 'git-auth', mountPath: PREPARE_GIT_AUTH_DIR, readOnly: true }] : []),
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
      annotations: { [ANNOTATION_DIGEST]: stage.digest, [ANNOTATION_IMAGE]: stage.image },
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
