import { describe, expect, it } from 'vitest';
import { expandVariables } from '../../cluster/kubelet/env.js';
import { runtimeForImage } from '../../cluster/kubelet/images.js';
import {
  finalPhase,
  type PodRecord,
  podStatusJson,
  setCondition,
  shouldRestart,
  terminationMessage,
} from '../../cluster/kubelet/pod-status.js';
import { resolveArgv } from '../../cluster/kubelet/runtimes.js';

describe('test kubelet decisions', () => {
  it('maps images to runtimes', () => {
    expect(runtimeForImage('ghcr.io/x/stapel-operator:1.0')).toBe('operator');
    expect(runtimeForImage('gcr.io/kaniko-project/executor:v1.23.2')).toBe('kaniko');
    expect(runtimeForImage('127.0.0.1:5000/base/busybox:latest')).toBe('registry');
    expect(runtimeForImage('localhost:5000/app')).toBe('registry');
    expect(runtimeForImage('docker.io/library/alpine:3')).toBe('unpullable');
  });

  it('follows restartPolicy', () => {
    expect(shouldRestart('Never', 1)).toBe(false);
    expect(shouldRestart('OnFailure', 1)).toBe(true);
    expect(shouldRestart('OnFailure', 0)).toBe(false);
    expect(shouldRestart('Always', 0)).toBe(true);
    expect(shouldRestart(undefined, 0)).toBe(true);
  });

  it('succeeds a pod only when every container exited 0', () => {
    const c = (exitCode: number) => ({
      name: 'c',
      image: 'i',
      restartCount: 0,
      ready: false,
      state: { terminated: { exitCode, reason: '', finishedAt: '2026-01-01T00:00:00Z' } },
    });
    expect(finalPhase([c(0), c(0)])).toBe('Succeeded');
    expect(finalPhase([c(0), c(2)])).toBe('Failed');
  });

  it('takes the termination message from the file, or the log tail under FallbackToLogsOnError', () => {
    expect(terminationMessage('sha256:1', 'log', 'File', 0)).toBe('sha256:1');
    expect(terminationMessage('', 'log', 'File', 1)).toBe('');
    expect(terminationMessage('', 'log', 'FallbackToLogsOnError', 1)).toBe('log');
    expect(terminationMessage('', 'log', 'FallbackToLogsOnError', 0)).toBe('');
    expect(Buffer.byteLength(terminationMessage('x'.repeat(5000), '', 'File', 0))).toBe(4096);
  });

  it('keeps a condition transition time until its status changes, and sends whole lists', () => {
    const pod: PodRecord = { phase: 'Pending', initContainers: [], containers: [], conditions: new Map() };
    setCondition(pod, 'Ready', 'False');
    const first = pod.conditions.get('Ready')!.since;
    pod.conditions.set('Ready', { ...pod.conditions.get('Ready')!, since: '2000-01-01T00:00:00Z' });
    setCondition(pod, 'Ready', 'False', 'ContainersNotReady');
    expect(pod.conditions.get('Ready')!.since).toBe('2000-01-01T00:00:00Z');
    setCondition(pod, 'Ready', 'True');
    expect(pod.conditions.get('Ready')!.since >= first).toBe(true);
    const json = podStatusJson(pod);
    expect(json).toMatchObject({
      phase: 'Pending',
      reason: null,
      initContainerStatuses: [],
      containerStatuses: [],
    });
  });

  it('resolves command and args as Kubernetes does, expanding $(VAR)', () => {
    const vars = new Map([['NAME', 'x']]);
    expect(resolveArgv({ command: ['sh', '-c'], args: ['echo $(NAME)'] }, ['/entry'], ['cmd'], vars)).toEqual(
      ['sh', '-c', 'echo x'],
    );
    expect(resolveArgv({ args: ['a'] }, ['/entry'], ['cmd'], vars)).toEqual(['/entry', 'a']);
    expect(resolveArgv({}, ['/entry'], ['cmd'], vars)).toEqual(['/entry', 'cmd']);
    expect(expandVariables('$(NAME) $$(NAME) $(MISSING)', vars)).toBe('x $(NAME) $(MISSING)');
  });
});
