import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';

/** A value of the downward API (`fieldRef.fieldPath`) for this pod. */
export function fieldValue(pod: V1Pod, fieldPath: string): string {
  const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
  if (label) return pod.metadata?.labels?.[label[1]!] ?? '';
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
  if (annotation) return pod.metadata?.annotations?.[annotation[1]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return mapLines(pod.metadata?.labels);
    case 'metadata.annotations':
      return mapLines(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.hostIP':
      return '127.0.0.1';
    default:
      throw new Error(`fieldRef ${fieldPath} is not supported by the test kubelet`);
  }
}

function mapLines(map: Record<string, string> | undefined): string {
  return Object.entries(map ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join('\n');
}

/** Expands `$(NAME)` references against the variables defined so far; `$$(` stays literal. */
export function expandVariables(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return vars.has(name!) ? vars.get(name!)! : whole;
  });
}

/** The container's environment as Kubernetes defines it (envFrom first, then env in order). */
export async function containerEnvironment(
  core: CoreV1Api,
  pod: V1Pod,
  container: V1Container,
  base: Record<string, string>,
): Promise<Map<string, string>> {
  const namespace = pod.metadata!.namespace!;
  const vars = new Map<string, string>(Object.entries(base));
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const data = await optionalRead(
        () =>
          core
            .readNamespacedConfigMap({ name: from.configMapRef!.name!, namespace })
            .then((c) => c.data ?? {}),
        from.configMapRef.optional,
        `configmap "${from.configMapRef.name}"`,
      );
      for (const [k, v] of Object.entries(data)) vars.set(prefix + k, v);
    }
    if (from.secretRef) {
      const data = await optionalRead(
        () => core.readNamespacedSecret({ name: from.secretRef!.name!, namespace }).then((s) => s.data ?? {}),
        from.secretRef.optional,
        `secret "${from.secretRef.name}"`,
      );
      for (const [k, v] of Object.entries(data))
        vars.set(prefix + k, Buffer.from(v, 'base64').toString('utf8'));
    }
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.fieldRef) vars.set(e.name, fieldValue(pod, e.valueFrom.fieldRef.fieldPath));
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const data = await optionalRead(
        () => core.readNamespacedConfigMap({ name: ref.name!, namespace }).then((c) => c.data ?? {}),
        ref.optional,
        `configmap "${ref.name}"`,
      );
      if (data[ref.key] !== undefined) vars.set(e.name, data[ref.key]!);
      else if (!ref.optional) throw new Error(`configmap "${ref.name}" has no key "${ref.key}"`);
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const data = await optionalRead(
        () => core.readNamespacedSecret({ name: ref.name!, namespace }).then((s) => s.data ?? {}),
        ref.optional,
        `secret "${ref.name}"`,
      );
      if (data[ref.key] !== undefined)
        vars.set(e.name, Buffer.from(data[ref.key]!, 'base64').toString('utf8'));
      else if (!ref.optional) throw new Error(`secret "${ref.name}" has no key "${ref.key}"`);
    } else if (e.valueFrom?.resourceFieldRef) {
      vars.set(e.name, '0');
    } else vars.set(e.name, expandVariables(e.value ?? '', vars));
  }
  return vars;
}

async function optionalRead(
  read: () => Promise<Record<string, string>>,
  optional: boolean | undefined,
  what: string,
): Promise<Record<string, string>> {
  try {
    return await read();
  } catch (err) {
    if ((err as { code?: number }).code === 404 && optional) return {};
    if ((err as { code?: number }).code === 404) throw new Error(`${what} not found`);
    throw err;
  }
}
