import { describe, expect, it } from 'vitest';
import { diffRelist, restartDelayMs } from './informer.js';
import type { KubeObject } from './kube.js';

const obj = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});
const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;

describe('diffRelist', () => {
  it('emits adds, updates (resync of every kept object) and deletes of vanished objects', () => {
    const cache = new Map([
      ['ns/a', obj('a', '1')],
      ['ns/gone', obj('gone', '2')],
    ]);
    const { events, next } = diffRelist(cache, [obj('a', '3'), obj('new', '4')], key);
    expect(events.map((e) => `${e.type}:${e.obj.metadata.name}`)).toEqual([
      'update:a',
      'add:new',
      'delete:gone',
    ]);
    expect(events[0]?.old?.metadata.resourceVersion).toBe('1');
    expect([...next.keys()]).toEqual(['ns/a', 'ns/new']);
  });
});

describe('restartDelayMs', () => {
  it('doubles from 1 s to a 30 s cap with bounded jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => restartDelayMs(n, () => 0))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(restartDelayMs(1, () => 1)).toBe(1200);
  });
});
