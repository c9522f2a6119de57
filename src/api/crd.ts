import { stringify } from 'yaml';
import { z } from 'zod';
import {
  GROUP,
  ImageBuildSpecSchema,
  ImageBuildStatusSchema,
  KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
  VERSION,
} from './imagebuild.js';

// Generates the ImageBuild CustomResourceDefinition from the zod schema.
// Kubernetes accepts only "structural" schemas: every node has a type, no
// $ref, no type inside anyOf, properties and additionalProperties exclusive.
// zod's OpenAPI 3.0 output is close; `toStructural` closes the gap and
// rejects (rather than silently drops) anything it cannot express.

type Json = Record<string, unknown>;

const KEYS_DROPPED = new Set(['$schema', 'id', '$id', 'propertyNames']);
const SAFE_INT_BOUND = Number.MAX_SAFE_INTEGER;

/** zod's z.int() emits the safe-integer range; it only adds noise to the CRD. */
const isUnboundedIntLimit = (key: string, value: unknown) =>
  (key === 'minimum' && value === -SAFE_INT_BOUND) || (key === 'maximum' && value === SAFE_INT_BOUND);

export function toStructural(node: Json, path = '$'): Json {
  const out: Json = {};
  const anyOf = node.anyOf as Json[] | undefined;
  if (anyOf) {
    const types = new Set(anyOf.map((b) => b.type));
    const isIntOrString =
      anyOf.length === 2 && types.has('string') && (types.has('number') || types.has('integer'));
    if (!isIntOrString) throw new Error(`${path}: anyOf is not structural (only int-or-string is supported)`);
    for (const [k, v] of Object.entries(node)) if (k !== 'anyOf' && !KEYS_DROPPED.has(k)) out[k] = v;
    out['x-kubernetes-int-or-string'] = true;
    return out;
  }
  for (const key of ['oneOf', 'allOf', 'not', '$ref', 'nullable']) {
    if (key in node) throw new Error(`${path}: '${key}' is not supported in a structural schema`);
  }
  for (const [key, value] of Object.entries(node)) {
    if (KEYS_DROPPED.has(key)) continue;
    if (key === 'const') out.enum = [value];
    else if (key === 'properties') {
      const props: Json = {};
      for (const [name, sub] of Object.entries(value as Json)) {
        props[name] = toStructural(sub as Json, `${path}.${name}`);
      }
      out.properties = props;
    } else if (key === 'items') out.items = toStructural(value as Json, `${path}[]`);
    else if (key === 'additionalProperties') {
      // `false` is the default under pruning, and forbidden next to properties.
      if (value === false || node.properties) continue;
      out.additionalProperties = toStructural(value as Json, `${path}.*`);
    } else if (!isUnboundedIntLimit(key, value)) out[key] = value;
  }
  if (!out.type && !out['x-kubernetes-int-or-string'] && !out['x-kubernetes-preserve-unknown-fields']) {
    throw new Error(`${path}: every node of a structural schema needs a type`);
  }
  return out;
}

function openApi(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', reused: 'inline' }) as Json;
  return toStructural(json);
}

const readyColumn = (field: 'status' | 'reason') => `.status.conditions[?(@.type=="Ready")].${field}`;

export function imageBuildCrd(): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: SHORT_NAMES,
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: readyColumn('status') },
            { name: 'Reason', type: 'string', jsonPath: readyColumn('reason') },
            { name: 'Images', type: 'string', jsonPath: '.status.imagesReady' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              description:
                'ImageBuild builds container images from werf Stapel configuration, one Job per stage.',
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: openApi(ImageBuildSpecSchema),
                status: openApi(ImageBuildStatusSchema),
              },
            },
          },
        },
      ],
    },
  };
}

export const CRD_PATH = 'crds/stapel.dev_imagebuilds.yaml';

export function imageBuildCrdYaml(): string {
  return `# Generated from src/api/imagebuild.ts by 'npm run generate'. Do not edit.\n${stringify(imageBuildCrd(), { lineWidth: 0 })}`;
}
