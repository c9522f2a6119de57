// A generated werf.yaml of N Stapel images, each with git, shell, imports and
// docker directives: image i imports from two earlier images (one after
// install, one after setup) and every tenth image is built FROM the
// previous one, so the graph is deep as well as wide.

export function generatedWerfYaml(images: number): string {
  const docs = ['project: bench\nconfigVersion: 1'];
  for (let i = 0; i < images; i++) {
    const lines = [`image: app-${i}`];
    if (i % 10 === 9) lines.push(`fromImage: app-${i - 1}`);
    else lines.push('from: alpine:3.20');
    lines.push(
      `fromCacheVersion: "v${i % 3}"`,
      'git:',
      `- add: /services/app-${i}`,
      '  to: /app',
      '  owner: app',
      '  group: app',
      '  includePaths: ["**/*"]',
      '  excludePaths: ["**/*.md", "tests"]',
      '  stageDependencies:',
      '    install: [package.json, package-lock.json]',
      '    setup: ["src/**/*"]',
      'shell:',
      '  beforeInstall: [apk add --no-cache nodejs npm, adduser -D app]',
      `  install: [cd /app && npm ci, echo install ${i}]`,
      '  beforeSetup: [echo "before setup"]',
      `  setup: [cd /app && npm run build -- --id ${i}]`,
      '  cacheVersion: "1"',
    );
    if (i >= 2) {
      lines.push(
        'import:',
        `- image: app-${i - 1}`,
        '  add: /app/dist',
        '  to: /opt/dep/dist',
        '  after: install',
        '  includePaths: ["**/*.js"]',
        `- image: app-${i - 2}`,
        '  add: /app/public',
        '  to: /opt/dep/public',
        '  after: setup',
        '  owner: app',
      );
    }
    lines.push(
      'docker:',
      '  WORKDIR: /app',
      '  EXPOSE: ["8080"]',
      `  ENV: {NODE_ENV: production, APP_ID: "${i}"}`,
      `  LABEL: {team: bench, index: "${i}"}`,
      '  CMD: ["node", "dist/server.js"]',
    );
    docs.push(lines.join('\n'));
  }
  return `${docs.join('\n---\n')}\n`;
}
