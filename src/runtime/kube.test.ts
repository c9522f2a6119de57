import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { describeApiError, isApiError, RawRequestError, toStatus } from './kube.js';

// What the reconciler makes of API server errors: the Status inside them,
// not client-node's dump of the whole HTTP exchange.

const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 413 };

describe('toStatus and describeApiError', () => {
  it('read the Status from a JSON body, also when it is encoded as a JSON string once more', () => {
    const text = JSON.stringify({ ...status, message: 'Request entity too large: limit is 3145728' });
    for (const body of [text, JSON.stringify(text)]) {
      const err = new k8s.ApiException(413, 'Unknown API Status Code!', body, {});
      expect(toStatus(err)).toEqual({
        code: 413,
        reason: '',
        message: 'Request entity too large: limit is 3145728',
      });
      expect(describeApiError(err)).toBe('Kubernetes API: 413 Request entity too large: limit is 3145728');
      expect(isApiError(err)).toBe(true);
    }
  });

  it('keep a body that is not JSON as the message, and name the reason when there is no message', () => {
    expect(describeApiError(new RawRequestError(502, 'bad gateway\nmore', 'GET', '/api'))).toBe(
      'Kubernetes API: 502 bad gateway',
    );
    const conflict = new k8s.ApiException(
      409,
      '',
      JSON.stringify({ ...status, code: 409, reason: 'Conflict' }),
      {},
    );
    expect(describeApiError(conflict)).toBe('Kubernetes API: 409 Conflict');
    expect(isApiError(new Error('socket hang up'))).toBe(false);
  });
});
