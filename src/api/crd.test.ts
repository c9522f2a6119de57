import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CRD_PATH, imageBuildCrd, imageBuildCrdYaml, toStructural } from './crd.js';
import { CONFIG_SOURCE_RULE, URL_WITH_PASSWORD_RULE } from './imagebuild.js';

const dig = (o: unknown, path: string): unknown =>
  path.split('.').reduce((x: unknown, k) => (x as Record<string, unknown> | undefined)?.[k], o);
const version = () => dig(imageBuildCrd(), 'spec.versions.0');
const schema = (path: string) => dig(version(), `schema.openAPIV3Schema.properties.${path}`);

describe('ImageBuild CRD', () => {
  it('is what `npm run generate` writes (crds/ is not stale)', () => {
    const committed = readFileSync(CRD_PATH, 'utf8');
    expect(committed, 'crds/ is stale: run npm run generate').toBe(imageBuildCrdYaml());
  });

  it('merges conditions by type under server-side apply and has printer columns', () => {
    expect(schema('status.properties.conditions.x-kubernetes-list-type')).toBe('map');
    expect(schema('status.properties.conditions.x-kubernetes-list-map-keys')).toEqual(['type']);
    expect(dig(version(), 'subresources')).toEqual({ status: {} });
    const columns = dig(version(), 'additionalPrinterColumns') as Array<{ name: string }>;
    expect(columns.map((c) => c.name)).toEqual(['Ready', 'Reason', 'Images', 'Age']);
    expect(dig(imageBuildCrd(), 'spec.names.shortNames')).toEqual(['ib']);
  });

  it('turns resource quantities into int-or-string and requires exactly one config source', () => {
    const limit = schema(
      'spec.properties.builder.properties.resources.properties.limits.additionalProperties',
    );
    expect(limit).toEqual({ 'x-kubernetes-int-or-string': true });
    const rules = schema('spec.x-kubernetes-validations') as Array<{ rule: string }>;
    expect(rules.map((r) => r.rule)).toEqual([CONFIG_SOURCE_RULE]);
    const git = schema('spec.properties.source.properties.git.x-kubernetes-validations') as Array<{
      rule: string;
    }>;
    expect(git.map((r) => r.rule)).toEqual([URL_WITH_PASSWORD_RULE]);
  });

  it('rejects schema constructs Kubernetes cannot express', () => {
    expect(() => toStructural({ anyOf: [{ type: 'object' }, { type: 'string' }] }, '$.x')).toThrow(
      /\$\.x: anyOf is not structural/,
    );
    expect(() => toStructural({ description: 'no type' }, '$.y')).toThrow(/\$\.y: every node/);
    expect(toStructural({ const: 'a', type: 'string' })).toEqual({ enum: ['a'], type: 'string' });
  });
});
