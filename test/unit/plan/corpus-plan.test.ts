// Every corpus werf.yaml is rendered, parsed and planned; the plan is a
// reviewed snapshot. Stand-in facts answer what a cluster would learn (git
// commit and content, import checksums; see world.ts), so every stage of a
// plannable file gets its digest and recipe. Files werf accepts but this
// builder does not (ansible, build secrets, a partial without meta) snapshot
// their errors instead. The werf reasoning behind two stage lists is written
// out below.
import { describe, expect, it } from 'vitest';
import { planJson } from '../../../src/cli/plan-output.js';
import { formatWerfConfigError } from '../../../src/werf/errors.js';
import { parseWerfConfig } from '../../../src/werf/parse-config.js';
import { renderWerfConfig } from '../../../src/werf/render/index.js';
import { corpusCases } from '../werf/render/corpus-helpers.js';
import { planWithWorld, stageNames } from './world.js';

const request = {
  repository: 'registry.example/corpus',
  git: { url: 'https://git.example/project.git', commit: 'c'.repeat(40) },
};

function planCase(name: string) {
  const c = corpusCases().find((k) => k.name === name)!;
  const parsed = parseWerfConfig(renderWerfConfig(c.text, c.options), { fileName: `${c.name}.werf.yaml` });
  return { parsed, plan: planWithWorld(parsed.config, request) };
}

describe('corpus plans', () => {
  for (const c of corpusCases()) {
    it(c.name, async () => {
      const { parsed, plan } = planCase(c.name);
      const snapshot =
        parsed.errors.length > 0
          ? `${parsed.errors.map((e) => formatWerfConfigError(`${c.name}.werf.yaml`, e)).join('\n')}\n`
          : planJson(plan);
      await expect(snapshot).toMatchFileSnapshot(
        `./__snapshots__/corpus/${c.name}.plan${parsed.errors.length > 0 ? '.errors.txt' : '.json'}`,
      );
      if (parsed.errors.length === 0) {
        expect(plan.errors).toEqual([]);
        for (const image of plan.images) for (const stage of image.stages) expect(stage.status).toBe('ready');
      }
    });
  }

  it('ivinco-tenis: the stage lists werf builds', () => {
    const { plan } = planCase('ivinco-tenis');
    // backend: external base; a git mapping gives gitArchive; shell.install gives install (its
    // stageDependencies only decide which files install copies); no beforeInstall/beforeSetup/setup
    // commands, so those stages do not exist; `docker: CMD` adds dockerInstructions (an image,
    // git-after-patch on). werf would add gitCache/gitLatestPatch, replaced here by content addressing.
    expect(stageNames(plan, 'backend')).toEqual(['from', 'gitArchive', 'install', 'dockerInstructions']);
    // frontend-build: install and setup commands, no docker section.
    expect(stageNames(plan, 'frontend-build')).toEqual(['from', 'gitArchive', 'install', 'setup']);
    // frontend: only an import `before: install` -> dependenciesBeforeInstall (digest name importsBeforeInstall);
    // no `stage:`, so the files come from frontend-build's last stage, setup (§4.8).
    expect(stageNames(plan, 'frontend')).toEqual(['from', 'dependenciesBeforeInstall']);
    const importStage = plan.images.find((i) => i.name === 'frontend')!.stages[1]!;
    expect(importStage.recipe!.imports[0]!.source).toMatchObject({ image: 'frontend-build', stage: 'setup' });
    // mongodb: nothing but `from`.
    expect(stageNames(plan, 'mongodb')).toEqual(['from']);
  });

  it('alignfig: the stage lists werf builds', () => {
    const { plan } = planCase('alignfig');
    // python_api: `fromImage: python_base` makes the base internal, so its `from` digest holds
    // python_base's content digest and it is built after python_base. stageDependencies.setup
    // names `**/*` but there are no setup commands: werf v2 only warns and no setup stage exists
    // (the glob is ignored, so every file stays in gitArchive).
    expect(stageNames(plan, 'python_api')).toEqual(['from', 'gitArchive', 'install', 'dockerInstructions']);
    const names = plan.images.map((i) => i.name);
    expect(names.indexOf('python_base')).toBeLessThan(names.indexOf('python_api'));
    // golang_builder is an artifact: beforeInstall, install and setup commands, a git mapping,
    // never a dockerInstructions stage.
    expect(stageNames(plan, 'golang_builder')).toEqual([
      'from',
      'beforeInstall',
      'gitArchive',
      'install',
      'setup',
    ]);
    // golang_web: two imports `before: setup` share one dependenciesBeforeSetup stage; both read
    // golang_builder's last stage (setup), in config order.
    expect(stageNames(plan, 'golang_web')).toEqual(['from', 'dependenciesBeforeSetup']);
    const imports = plan.images.find((i) => i.name === 'golang_web')!.stages[1]!.recipe!.imports;
    expect(imports.map((i) => [i.add, i.to])).toEqual([
      ['/app/bin/golang_web', '/golang_web'],
      ['/app/templates', '/templates'],
    ]);
    // python_api's ENTRYPOINT is a plain string: werf runs it under /bin/sh -c.
    const docker = plan.images.find((i) => i.name === 'python_api')!.stages.at(-1)!.recipe!.instructions;
    expect(docker).toContain('ENTRYPOINT ["/bin/sh","-c","gunicorn --bind 0.0.0.0:5000 manage:app"]');
  });
});
