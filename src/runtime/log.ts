import pino, { type Logger } from 'pino';

// Structured JSON logs. Every line about an ImageBuild carries `imagebuild`
// (namespace/name); lines about one stage add `image`, `stage` and `digest`.
// Known secret-bearing keys are redacted in case one slips into a log call.

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { app: 'stapel-operator' },
    redact: {
      paths: ['*.auth', '*.password', '*.token', '*.dockerconfigjson', '*.authorization', '*.Authorization'],
      censor: '[redacted]',
    },
  });
}

export function buildLogger(log: Logger, namespace: string, name: string): Logger {
  return log.child({ imagebuild: `${namespace}/${name}` });
}

export function stageLogger(log: Logger, image: string, stage: string, digest?: string): Logger {
  return log.child({ image, stage, ...(digest ? { digest } : {}) });
}

export type { Logger };
