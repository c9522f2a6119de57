import { appendFileSync, chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1Pod,
} from '@kubernetes/client-node';
import { tailOfFile } from '../lib/processes.js';
import { type ContainerMount, type ContainerProcess, startContainerProcess } from './container-process.js';
import { containerEnvironment } from './env.js';
import {
  exitCodeFault,
  FAULTS_CONFIGMAP,
  type PodFaults,
  parseFaultRules,
  rejectionMessage,
  resolveFaults,
} from './faults.js';
import { runtimeForImage } from './images.js';
import {
  apiTime,
  type ContainerRecord,
  finalPhase,
  isTerminal,
  type PodRecord,
  podStatusJson,
  setCondition,
  shouldRestart,
  terminationMessage,
} from './pod-status.js';
import { finishWithPrebuiltImage, PREBUILT_PUSH_LOG } from './prebuilt.js';
import { ImagePullError, type KubeletRuntimeContext, prepareCommand } from './runtimes.js';
import { isNotFound, type PreparedVolume, prepareVolumes } from './volumes.js';

export interface KubeletContext extends KubeletRuntimeContext {
  core: CoreV1Api;
  nodeName: string;
  /** Where pod folders (volumes, logs, termination messages) live. */
  podsDir: string;
  apiHost: string;
  apiPort: string;
  log(line: string): void;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const OOM_KILL_AFTER_MS = 500;

/** Runs one pod as a kubelet would: volumes, init containers in order, then the containers; reports status. */
export class PodWorker {
  readonly done: Promise<void>;
  private readonly record: PodRecord;
  private readonly running = new Map<string, ContainerProcess>();
  private readonly podDir: string;
  private stopping = false;
  private gone = false;
  private evicted = false;
  private readonly wakeups = new Set<() => void>();
  private writeChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: KubeletContext,
    private readonly pod: V1Pod,
  ) {
    const meta = pod.metadata!;
    this.podDir = join(ctx.podsDir, `${meta.namespace}_${meta.name}_${meta.uid}`);
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const conditions = new Map();
    conditions.set('PodScheduled', {
      status: 'True',
      since: scheduled?.lastTransitionTime ? apiTime(new Date(scheduled.lastTransitionTime)) : apiTime(),
    });
    const waiting = (c: V1Container, reason: string): ContainerRecord => ({
      name: c.name,
      image: c.image ?? '',
      restartCount: 0,
      ready: false,
      state: { waiting: { reason } },
    });
    const hasInit = (pod.spec?.initContainers?.length ?? 0) > 0;
    this.record = {
      phase: 'Pending',
      startTime: apiTime(),
      conditions,
      initContainers: (pod.spec?.initContainers ?? []).map((c) => waiting(c, 'PodInitializing')),
      containers: pod.spec!.containers.map((c) =>
        waiting(c, hasInit ? 'PodInitializing' : 'ContainerCreating'),
      ),
    };
    this.done = this.run().catch((err: unknown) =>
      this.ctx.log(`${this.name}: worker failed: ${String(err)}`),
    );
  }

  get name(): string {
    return `${this.pod.metadata!.namespace}/${this.pod.metadata!.name}`;
  }

  /** Graceful stop (pod deleted): SIGTERM, then SIGKILL after the grace period; resolves when the worker is done. */
  async terminate(graceSeconds: number): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.wakeAll();
      for (const p of this.running.values()) p.signal('SIGTERM');
      const timer = setTimeout(() => {
        for (const p of this.running.values()) p.signal('SIGKILL');
      }, graceSeconds * 1000);
      await this.done;
      clearTimeout(timer);
    }
    await this.done;
  }

  /** The pod object is gone from the API: stop at once, write nothing more. */
  async vanish(): Promise<void> {
    this.gone = true;
    await this.terminate(0);
  }

  removeFiles(): void {
    rmSync(this.podDir, { recursive: true, force: true });
  }

  private async run(): Promise<void> {
    mkdirSync(join(this.podDir, 'logs'), { recursive: true });
    setCondition(this.record, 'PodReadyToStartContainers', 'False');
    const hasInit = this.record.initContainers.length > 0;
    setCondition(
      this.record,
      'Initialized',
      hasInit ? 'False' : 'True',
      hasInit ? 'ContainersNotInitialized' : undefined,
    );
    this.markReadiness();
    this.writeStatus();

    let faults: PodFaults;
    try {
      faults = resolveFaults(this.pod, await this.faultRules());
    } catch (err) {
      return this.fail('InvalidFaultInjection', (err as Error).message);
    }
    if (faults.reject) {
      this.ctx.log(`${this.name}: rejecting the pod as ${faults.reject} (fault injection)`);
      return this.fail(faults.reject, rejectionMessage(faults.reject));
    }
    if (faults.startDelaySeconds > 0) {
      this.ctx.log(`${this.name}: delaying start by ${faults.startDelaySeconds}s (fault injection)`);
      await this.sleep(faults.startDelaySeconds * 1000);
    }
    const volumes = await this.prepareVolumesUntilReady();
    if (!volumes) return this.finish();
    setCondition(this.record, 'PodReadyToStartContainers', 'True');
    this.writeStatus();

    const specs = this.pod.spec!;
    for (const [i, container] of (specs.initContainers ?? []).entries()) {
      const record = this.record.initContainers[i]!;
      for (;;) {
        const code = await this.runContainer(container, record, volumes, faults);
        if (code === 'stopped' || this.stopping) return this.finish();
        if (code === 0) break;
        if (specs.restartPolicy === 'Never') return this.finish('Failed');
        await this.backOff(record);
      }
    }
    setCondition(this.record, 'Initialized', 'True');
    this.writeStatus();

    const loops = specs.containers.map((c, i) =>
      this.containerLoop(c, this.record.containers[i]!, volumes, faults),
    );
    if (faults.evict) void this.evictWhenRunning();
    await Promise.all(loops);
    return this.finish();
  }

  private async containerLoop(
    container: V1Container,
    record: ContainerRecord,
    volumes: PreparedVolume[],
    faults: PodFaults,
  ): Promise<void> {
    for (;;) {
      const code = await this.runContainer(container, record, volumes, faults);
      if (code === 'stopped' || this.stopping) return;
      if (!shouldRestart(this.pod.spec!.restartPolicy, code)) {
        this.markReadiness();
        this.writeStatus();
        return;
      }
      await this.backOff(record);
    }
  }

  /** Runs a container once; resolves with its exit code, or 'stopped' if the pod went away first. */
  private async runContainer(
    container: V1Container,
    record: ContainerRecord,
    volumes: PreparedVolume[],
    faults: PodFaults,
  ): Promise<number | 'stopped'> {
    const injected = exitCodeFault(faults, container.name);
    if (injected !== undefined) {
      const now = apiTime();
      record.state = {
        terminated: {
          exitCode: injected,
          reason: injected === 0 ? 'Completed' : 'Error',
          message: `exit code ${injected} injected by the test kubelet`,
          startedAt: now,
          finishedAt: now,
        },
      };
      this.writeStatus();
      return injected;
    }
    const runtime = runtimeForImage(container.image ?? '');
    if (faults.prebuiltImage !== undefined) {
      const startedAt = apiTime();
      const vars = await containerEnvironment(this.ctx.core, this.pod, container, this.baseEnv());
      const result = await finishWithPrebuiltImage(runtime, container, vars, faults.prebuiltImage, (dest) =>
        appendFileSync(join(this.ctx.podsDir, '..', PREBUILT_PUSH_LOG), `${Date.now()} ${dest}\n`),
      );
      record.state = {
        terminated: {
          exitCode: result.exitCode,
          reason: result.exitCode === 0 ? 'Completed' : 'Error',
          ...(result.message ? { message: result.message } : {}),
          startedAt,
          finishedAt: apiTime(),
        },
      };
      this.writeStatus();
      return result.exitCode;
    }
    const run = record.restartCount;
    const logFile = join(this.podDir, 'logs', `${container.name}-${run}.log`);
    const messageFile = join(this.podDir, 'logs', `${container.name}-${run}.termination-log`);
    let prepared: Awaited<ReturnType<typeof prepareCommand>> | undefined;
    let pullFailures = 0;
    while (!prepared) {
      if (this.stopping) return 'stopped';
      try {
        const vars = await containerEnvironment(this.ctx.core, this.pod, container, this.baseEnv());
        prepared = await prepareCommand(this.ctx, runtime, this.pod, container, vars, faults);
        const env = { ...prepared.imageEnv, ...prepared.runtimeEnv, ...Object.fromEntries(vars) };
        const mounts = this.mounts(container, volumes, messageFile);
        writeEmpty(messageFile);
        const startedAt = apiTime();
        const process = startContainerProcess({
          root: prepared.root,
          workingDir: prepared.workingDir,
          userspec: prepared.userspec,
          mounts,
          argv: prepared.argv,
          env,
          logFile,
        });
        this.running.set(container.name, process);
        record.state = { running: { startedAt } };
        this.markReadiness();
        this.writeStatus();
        let oomKilled = false;
        const oomTimer = faults.oomKill.has(container.name)
          ? setTimeout(() => {
              oomKilled = true;
              process.signal('SIGKILL');
            }, OOM_KILL_AFTER_MS)
          : undefined;
        const exitCode = await process.exited;
        clearTimeout(oomTimer);
        this.running.delete(container.name);
        await prepared.cleanup();
        const message = terminationMessage(
          readText(messageFile),
          tailOfFile(logFile, 80),
          container.terminationMessagePolicy,
          exitCode,
        );
        record.state = {
          terminated: {
            exitCode,
            reason: oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
            ...(message ? { message } : {}),
            startedAt,
            finishedAt: apiTime(),
          },
        };
        record.ready = false;
        this.markReadiness();
        this.writeStatus();
        return exitCode;
      } catch (err) {
        await prepared?.cleanup();
        prepared = undefined;
        const pull = err instanceof ImagePullError;
        pullFailures++;
        record.state = {
          waiting: {
            reason: pull
              ? pullFailures > 1
                ? 'ImagePullBackOff'
                : 'ErrImagePull'
              : 'CreateContainerConfigError',
            message: (err as Error).message,
          },
        };
        this.ctx.log(`${this.name}/${container.name}: ${(err as Error).message}`);
        this.writeStatus();
        await this.sleep(Math.min(1000 * 2 ** pullFailures, 20_000));
      }
    }
    return 'stopped';
  }

  private mounts(container: V1Container, volumes: PreparedVolume[], messageFile: string): ContainerMount[] {
    const mounts: ContainerMount[] = (container.volumeMounts ?? []).map((m) => {
      const volume = volumes.find((v) => v.name === m.name);
      if (!volume)
        throw new Error(`container ${container.name}: volumeMount ${m.name} names no volume of the pod`);
      const hostPath = m.subPath ? join(volume.hostPath, m.subPath) : volume.hostPath;
      if (m.subPath) mkdirSync(hostPath, { recursive: true });
      return { hostPath, containerPath: m.mountPath, readOnly: m.readOnly === true };
    });
    mounts.push({
      hostPath: messageFile,
      containerPath: container.terminationMessagePath || '/dev/termination-log',
      readOnly: false,
    });
    return mounts;
  }

  private baseEnv(): Record<string, string> {
    return {
      HOSTNAME: this.pod.metadata!.name!,
      KUBERNETES_SERVICE_HOST: this.ctx.apiHost,
      KUBERNETES_SERVICE_PORT: this.ctx.apiPort,
      KUBERNETES_SERVICE_PORT_HTTPS: this.ctx.apiPort,
    };
  }

  private async faultRules() {
    try {
      const cm = await this.ctx.core.readNamespacedConfigMap({
        name: FAULTS_CONFIGMAP,
        namespace: this.pod.metadata!.namespace!,
      });
      return parseFaultRules(cm.data);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  private async prepareVolumesUntilReady(): Promise<PreparedVolume[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopping) return undefined;
      try {
        return await prepareVolumes(this.ctx.core, this.pod, this.podDir);
      } catch (err) {
        const message = `MountVolume failed: ${(err as Error).message}`;
        this.ctx.log(`${this.name}: ${message}`);
        for (const c of [...this.record.initContainers, ...this.record.containers]) {
          c.state = { waiting: { reason: 'ContainerCreating', message } };
        }
        this.writeStatus();
        await this.sleep(Math.min(500 * attempt, 5000));
      }
    }
  }

  private async evictWhenRunning(): Promise<void> {
    while (!this.stopping && !this.record.containers.every((c) => 'running' in c.state)) await this.sleep(50);
    if (this.stopping) return;
    this.ctx.log(`${this.name}: evicting (fault injection)`);
    this.evicted = true;
    setCondition(
      this.record,
      'DisruptionTarget',
      'True',
      'TerminationByKubelet',
      'The node was low on resource: memory.',
    );
    this.stopping = true;
    this.wakeAll();
    for (const p of this.running.values()) p.signal('SIGKILL');
  }

  private async backOff(record: ContainerRecord): Promise<void> {
    record.lastState = record.state;
    record.restartCount++;
    record.state = {
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' },
    };
    this.markReadiness();
    this.writeStatus();
    await this.sleep(Math.min(1000 * 2 ** (record.restartCount - 1), 20_000));
  }

  private markReadiness(): void {
    const ready = this.record.containers.every((c) => 'running' in c.state);
    for (const c of this.record.containers) c.ready = 'running' in c.state;
    if (this.record.containers.some((c) => 'running' in c.state) && this.record.phase === 'Pending') {
      this.record.phase = 'Running';
    }
    const reason = ready ? undefined : 'ContainersNotReady';
    setCondition(this.record, 'ContainersReady', ready ? 'True' : 'False', reason);
    setCondition(this.record, 'Ready', ready ? 'True' : 'False', reason);
  }

  private async fail(reason: string, message: string): Promise<void> {
    this.record.reason = reason;
    this.record.message = message;
    return this.finish('Failed');
  }

  /** Final status: every container terminated, phase from their exit codes (or Failed when stopped). */
  private async finish(phase?: 'Failed'): Promise<void> {
    for (const p of this.running.values()) p.signal('SIGKILL');
    const all = [...this.record.initContainers, ...this.record.containers];
    const completedBeforeStop = this.record.containers.every((c) => 'terminated' in c.state);
    // Containers killed while running are reported terminated; ones that never
    // started stay waiting, as a real kubelet reports them.
    for (const c of all) {
      if (!('running' in c.state)) continue;
      c.state = {
        terminated: {
          exitCode: 137,
          reason: 'Error',
          startedAt: c.state.running.startedAt,
          finishedAt: apiTime(),
        },
      };
    }
    for (const c of all) c.ready = false;
    if (this.evicted) {
      this.record.phase = 'Failed';
      this.record.reason = 'Evicted';
      this.record.message =
        'The node was low on resource: memory. Evicted by the test kubelet (fault injection).';
    } else if (phase || (this.stopping && !completedBeforeStop)) this.record.phase = 'Failed';
    else this.record.phase = finalPhase(this.record.containers);
    setCondition(this.record, 'ContainersReady', 'False', 'PodCompleted');
    setCondition(this.record, 'Ready', 'False', 'PodCompleted');
    this.writeStatus();
    await this.writeChain;
    this.ctx.log(`${this.name}: ${this.record.phase}`);
  }

  /** Queues a write of the whole status; writes happen one at a time, in order. */
  private writeStatus(): void {
    const body = { status: podStatusJson(this.record) };
    this.writeChain = this.writeChain.then(async () => {
      if (this.gone) return;
      try {
        await this.ctx.core.patchNamespacedPodStatus(
          { name: this.pod.metadata!.name!, namespace: this.pod.metadata!.namespace!, body },
          mergePatch,
        );
      } catch (err) {
        if (isNotFound(err)) {
          this.gone = true;
          this.stopping = true;
          this.wakeAll();
          return;
        }
        this.ctx.log(`${this.name}: status update failed: ${String((err as { body?: string }).body ?? err)}`);
      }
    });
  }

  /** Sleeps, but wakes up early when the pod is being stopped. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeups.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.wakeups]) wake();
  }

  get phase(): string {
    return this.record.phase;
  }

  get terminal(): boolean {
    return isTerminal(this.record.phase);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The termination-log file must exist (as a file) before it is bind-mounted; any user may write it. */
function writeEmpty(file: string): void {
  writeFileSync(file, '');
  chmodSync(file, 0o666);
}
