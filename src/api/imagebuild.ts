import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';

// The ImageBuild API: the single source of truth for both the runtime
// validation in the reconciler and the CRD's openAPIV3Schema (crd.ts).
// Only constructs that map onto a Kubernetes structural schema are used here;
// the generator rejects anything else.

export const GROUP = 'stapel.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'ImageBuild';
export const PLURAL = 'imagebuilds';
export const SINGULAR = 'imagebuild';
export const SHORT_NAMES = ['ib'];

const duration = (description: string) =>
  z.string().regex(new RegExp(DURATION_PATTERN)).meta({ description });

/** A Kubernetes resource quantity: `500m`, `2Gi`, or a plain number. */
const Quantity = z.union([z.string(), z.number()]);

const ResourceList = z.record(z.string(), Quantity);

export const ConfigRefSchema = z
  .object({
    name: z.string().min(1).meta({ description: 'ConfigMap in the ImageBuild namespace.' }),
    key: z.string().min(1).default('werf.yaml').meta({ description: 'Key holding the werf.yaml text.' }),
  })
  .meta({ description: 'Read werf.yaml from a ConfigMap instead of spec.config.' });

/**
 * A URL scheme followed by userinfo with a password: credentials belong in
 * the Secret. Leading whitespace is allowed for (git and the operator trim it).
 */
export const URL_WITH_PASSWORD_RULE =
  "!self.url.matches('^[[:space:]]*[A-Za-z][A-Za-z0-9+.-]*://[^/@]*:[^/@]*@')";

export const GitSourceSchema = z
  .object({
    url: z.string().min(1).max(2048).meta({
      description: 'Repository URL: https://, http://, ssh:// or git@host:path. No credentials in it.',
    }),
    revision: z
      .string()
      .min(1)
      .default('HEAD')
      .meta({ description: 'Branch, tag, full ref or full commit id; resolved on every reconcile.' }),
    secretRef: z
      .object({ name: z.string().min(1) })
      .optional()
      .meta({
        description:
          'Secret with username and password or token (basic auth), or ssh-privatekey (or identity) and known_hosts. ' +
          'Used for this repository and for git mappings on the same host (scheme, host and port).',
      }),
    subPath: z
      .string()
      .optional()
      .meta({ description: 'Folder of the werf project inside the repository (werf.yaml, .werf, .Files).' }),
  })
  .meta({
    description:
      'The project repository: local git mappings, .Files and (without config) werf.yaml come from it.',
    'x-kubernetes-validations': [
      {
        rule: URL_WITH_PASSWORD_RULE,
        message: 'put credentials in the Secret named by secretRef, not in the URL',
      },
    ],
  });

export const GitCredentialSchema = z
  .object({
    url: z
      .string()
      .min(1)
      .max(2048)
      .meta({
        description:
          'URL prefix of the remotes this Secret serves: scheme, host and optional path, e.g. ' +
          'https://git.example.com/libs or git@git.example.com:libs. Whole path segments match; the longest prefix wins.',
      }),
    secretRef: z
      .object({ name: z.string().min(1) })
      .meta({ description: 'Secret with the same keys as spec.source.git.secretRef.' }),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: URL_WITH_PASSWORD_RULE,
        message: 'put credentials in the Secret named by secretRef, not in the URL',
      },
    ],
  });

export const SourceSchema = z
  .object({ git: GitSourceSchema.optional() })
  .meta({ description: 'Where the project comes from.' });

export const RegistrySchema = z
  .object({
    repository: z
      .string()
      .min(1)
      .regex(/^[^\s:@]+(:[0-9]+)?(\/[^\s:@]+)*$/)
      .meta({ description: 'Repository for stage images (tagged by stage digest) and final images.' }),
    secretRef: z
      .object({ name: z.string().min(1) })
      .optional()
      .meta({ description: 'kubernetes.io/dockerconfigjson Secret with pull and push credentials.' }),
    insecure: z
      .boolean()
      .default(false)
      .meta({ description: 'Reach the registry over plain HTTP (test registries only).' }),
  })
  .meta({ description: 'Where stage images and final images live.' });

export const TolerationSchema = z.object({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.int().optional(),
});

export const SecurityContextSchema = z
  .object({
    runAsUser: z.int().min(0).optional(),
    runAsGroup: z.int().min(0).optional(),
    runAsNonRoot: z.boolean().optional(),
    privileged: z.boolean().optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    capabilities: z
      .object({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() })
      .optional(),
    seccompProfile: z
      .object({
        type: z.enum(['RuntimeDefault', 'Unconfined', 'Localhost']),
        localhostProfile: z.string().optional(),
      })
      .optional(),
  })
  .meta({ description: 'Security context of the executor container.' });

export const BuilderSchema = z
  .object({
    image: z.string().min(1).optional().meta({ description: 'Executor (Kaniko) image; a pinned default.' }),
    resources: z
      .object({ limits: ResourceList.optional(), requests: ResourceList.optional() })
      .optional()
      .meta({ description: 'Resources of the executor container.' }),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(TolerationSchema).optional(),
    serviceAccountName: z.string().min(1).optional(),
    securityContext: SecurityContextSchema.optional(),
  })
  .meta({ description: 'How stage build pods run.' });

/** Exactly one config source: inline, a ConfigMap, or the repository (neither of the first two). */
export const CONFIG_SOURCE_RULE =
  '!(has(self.config) && has(self.configRef)) && ' +
  '(has(self.config) || has(self.configRef) || (has(self.source) && has(self.source.git)))';

export const ImageBuildSpecSchema = z
  .object({
    config: z.string().min(1).optional().meta({ description: 'werf.yaml text.' }),
    configRef: ConfigRefSchema.optional(),
    source: SourceSchema.optional(),
    gitCredentials: z
      .array(GitCredentialSchema)
      .max(32)
      .optional()
      .meta({
        description:
          'Secrets for git remotes other than the project repository (remote git mappings on other hosts). ' +
          'Checked before spec.source.git.secretRef, which serves the project repository and its host.',
      }),
    configPath: z.string().min(1).default('werf.yaml').meta({
      description:
        'werf.yaml path inside spec.source.git.subPath, read at the resolved commit when config and configRef are absent.',
    }),
    env: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Values for {{ env "NAME" }} in werf.yaml templates.' }),
    images: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: 'Final images to build; default all. Their dependencies are built too.' }),
    registry: RegistrySchema,
    builder: BuilderSchema.optional(),
    parallelism: z
      .int()
      .min(1)
      .max(64)
      .default(4)
      .meta({ description: 'Stage Jobs of this build running at once.' }),
    timeout: duration('Deadline of each stage Job (activeDeadlineSeconds).').default('1h'),
    retries: z.int().min(0).max(10).default(1).meta({ description: 'Retries of a failed stage pod.' }),
    tags: z
      .array(z.string().regex(/^[A-Za-z0-9_%][A-Za-z0-9_.%-]{0,127}$/))
      .optional()
      .meta({
        description:
          'Tags given to each final image in the repository; %image% is replaced with the image name.',
      }),
    jobTTL: duration('Delete finished stage Jobs after this long (ttlSecondsAfterFinished).').optional(),
    suspend: z.boolean().default(false).meta({ description: 'Start no new stage Jobs; running ones go on.' }),
    cancel: z
      .boolean()
      .default(false)
      .meta({ description: 'Stop the build: running stage Jobs are deleted; Ready=False, reason Canceled.' }),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: CONFIG_SOURCE_RULE,
        message: 'set exactly one of config, configRef, or source.git (werf.yaml read at configPath)',
      },
    ],
  });

export const ConditionSchema = z.object({
  type: z.string().min(1).max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: z.string(),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
  message: z.string().max(32768),
});

export const StagePhase = z.enum(['Waiting', 'Pending', 'Running', 'Succeeded', 'Failed']);
export type StagePhase = z.infer<typeof StagePhase>;

export const StageStatusSchema = z.object({
  name: z.string(),
  digest: z.string().optional().meta({ description: 'Stage digest; the stage image tag.' }),
  image: z.string().optional().meta({ description: 'repository@sha256:... of the stage image.' }),
  imageDigest: z.string().optional().meta({ description: 'Manifest digest served by the registry.' }),
  phase: StagePhase,
  source: z.enum(['cache', 'built']).optional(),
  job: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().max(4096).optional(),
});

export const ImageStatusSchema = z.object({
  name: z.string(),
  final: z
    .boolean()
    .optional()
    .meta({ description: 'false for artifacts and `final: false` images: built only to be imported.' }),
  ref: z.string().optional().meta({ description: 'Final image, repository@sha256:..., when built.' }),
  tags: z.array(z.string()).optional(),
  stages: z.array(StageStatusSchema),
});

export const SourceStatusSchema = z.object({
  git: z
    .object({
      url: z.string().meta({ description: 'Repository URL (never with credentials).' }),
      revision: z.string(),
      commit: z.string().meta({ description: 'The commit the revision resolved to in the last reconcile.' }),
    })
    .optional(),
});

export const ImageBuildStatusSchema = z.object({
  observedGeneration: z.int().min(0).optional(),
  source: SourceStatusSchema.optional(),
  conditions: z
    .array(ConditionSchema)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  imagesReady: z.string().optional().meta({ description: 'Final images built / requested, e.g. 1/2.' }),
  images: z.array(ImageStatusSchema).optional(),
});

export const ImageBuildSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string(),
    uid: z.string(),
    generation: z.int(),
    resourceVersion: z.string().optional(),
    deletionTimestamp: z.string().optional(),
  }),
  spec: ImageBuildSpecSchema,
  status: ImageBuildStatusSchema.optional(),
});

export type ImageBuildSpec = z.infer<typeof ImageBuildSpecSchema>;
export type SourceStatus = z.infer<typeof SourceStatusSchema>;
export type GitSource = z.infer<typeof GitSourceSchema>;
export type ImageBuildStatus = z.infer<typeof ImageBuildStatusSchema>;
export type ImageBuild = z.infer<typeof ImageBuildSchema>;
export type Condition = z.infer<typeof ConditionSchema>;
export type StageStatus = z.infer<typeof StageStatusSchema>;
export type ImageStatus = z.infer<typeof ImageStatusSchema>;
