// Registry failures. Every message names the registry, the repository and the
// reference; none ever carries a credential or token (they are never part of
// the inputs these messages are built from).

export type RegistryErrorKind =
  | 'auth' // 401/403 after authenticating: credentials wrong or access denied
  | 'not-found' // manifest or blob unknown (only where absence is an error)
  | 'digest-mismatch' // content does not hash to the digest asked for
  | 'size-mismatch'
  | 'rate-limited'
  | 'protocol' // unexpected status or body
  | 'network'
  | 'unsupported';

export interface RegistryErrorTarget {
  registry: string;
  repository: string;
  reference?: string;
}

export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    readonly target: RegistryErrorTarget,
    detail: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    const where = `registry ${target.registry}, repository ${target.repository}${target.reference ? `, reference ${target.reference}` : ''}`;
    super(`${where}: ${detail}`, options);
    this.name = 'RegistryError';
  }
}

/** Summarises a distribution-spec error body (`{"errors":[{code,message}]}`), unknown codes as UNKNOWN. */
export function describeErrorBody(body: string): string {
  try {
    const doc = JSON.parse(body) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) {
      return doc.errors
        .map(
          (e) =>
            `${typeof e.code === 'string' ? e.code : 'UNKNOWN'}${typeof e.message === 'string' ? `: ${e.message}` : ''}`,
        )
        .join('; ');
    }
  } catch {
    // not JSON: fall through
  }
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
