import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { adaptManifests } from '../../../scripts/demo/adapt.js';

const settings = {
  namespace: 'stapel-demo',
  registry: '127.0.0.1:5000',
  env: { BASE_IMAGE: '127.0.0.1:5000/base/busybox:latest', GIT_URL: 'http://127.0.0.1:5001/x.git' },
};

const manifests = `apiVersion: v1
kind: ConfigMap
metadata:
  name: seed-werf
data:
  werf.yaml: "project: shop"
---
apiVersion: stapel.dev/v1alpha1
kind: ImageBuild
metadata:
  name: shop
spec:
  configRef: {name: seed-werf}
  env: {BASE_IMAGE: busybox:1.36, OTHER: kept}
  registry: {repository: registry.example.com/shop, secretRef: {name: regcred}}
`;

describe('adaptManifests', () => {
  it('moves every object into the demo namespace and points the ImageBuild at the loopback registry', () => {
    const docs = parseAllDocuments(adaptManifests('seed', manifests, settings)).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.namespace)).toEqual(['stapel-demo', 'stapel-demo']);
    expect(docs[1].spec.registry).toEqual({ repository: '127.0.0.1:5000/demo/seed', insecure: true });
    // Only keys the example declares are set; the others stay as written.
    expect(docs[1].spec.env).toEqual({ BASE_IMAGE: '127.0.0.1:5000/base/busybox:latest', OTHER: 'kept' });
    expect(docs[0].data).toEqual({ 'werf.yaml': 'project: shop' });
  });

  it('names the example and document of bad input', () => {
    expect(() => adaptManifests('seed', 'kind: [', settings)).toThrow(/example seed, document 1/);
    expect(() => adaptManifests('seed', 'just: text\n', settings)).toThrow(
      /example seed, document 1: not a Kubernetes object/,
    );
    expect(() => adaptManifests('seed', 'kind: ConfigMap\nmetadata: {name: x}\n', settings)).toThrow(
      /example seed: its kustomization has no ImageBuild/,
    );
  });
});
