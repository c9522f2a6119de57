// fromYaml / toYaml as werf has them (gopkg.in/yaml.v2): YAML 1.1 scalars
// (yes/no, 0755 octal), nested maps typed map[interface {}]interface {},
// and yaml.v2's output layout (sorted keys, unindented sequences).
import { isScalar, isSeq, isMap as isYamlMap, parseDocument } from 'yaml';
import { type GoMap, typedMap, type Value } from './values.js';
import { yamlMarshal } from './yaml-emit.js';

export function fromYaml(text: string): GoMap {
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, merge: true, intAsBigInt: true });
  if (doc.errors.length > 0)
    throw new Error(`yaml: ${doc.errors[0]!.message.split('\n')[0]!.replace(/:$/, '')}`);
  const conv = (n: unknown, top: boolean): Value => {
    if (n === null || n === undefined) return null;
    if (isScalar(n)) return scalar(n.value);
    if (isSeq(n)) return n.items.map((x) => conv(x, false));
    if (isYamlMap(n)) {
      const m: GoMap = new Map();
      for (const pair of n.items) {
        // yaml.v2 decodes a key into a string key type from its text; nested maps keep the resolved value.
        const k = isScalar(pair.key)
          ? top
            ? (pair.key.source ?? pair.key.value)
            : pair.key.value
          : pair.key;
        m.set(keyString(k), conv(pair.value, false));
      }
      return top ? m : typedMap(m, 'map[interface {}]interface {}');
    }
    return null;
  };
  const root = doc.contents;
  if (root === null) return new Map();
  if (!isYamlMap(root)) {
    const kind = isSeq(root) ? '!!seq' : '!!str';
    throw new Error(
      `yaml: unmarshal errors:\n  line 1: cannot unmarshal ${kind} into map[string]interface {}`,
    );
  }
  return conv(root, true) as GoMap;
}

function keyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === null || k === undefined) return '';
  return String(k);
}

function scalar(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? v : v;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** werf's toYaml: yaml.v2 Marshal without the trailing newline. */
export function toYaml(v: Value): string {
  return yamlMarshal(v).replace(/\n$/, '');
}
