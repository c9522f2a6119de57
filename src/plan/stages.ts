import {
  type Dependency,
  type DependencySlot,
  type Import,
  type StapelImage,
  USER_STAGE_NAMES,
  type UserStageName,
} from '../werf/model.js';
import { shellChecksum } from './checksums.js';
import type { DependenciesStageName, StageName } from './stage-names.js';

// Which stages an image has (werf-stapel.md §3.1), decided from the config
// alone. Each stage carries the static part of its digest inputs; the parts
// that need facts (git content, import checksums, other images' digests) are
// filled in by the planner.

/** The part of one git mapping a stage copies in: see README.md, "Git content". */
export interface StageGitPart {
  mapping: number;
  selectPaths: string[];
  skipPaths: string[];
}

export type StageSpec =
  | { name: 'from' }
  | { name: 'beforeInstall'; shellChecksum: string; commands: string[] }
  | {
      name: 'install' | 'beforeSetup' | 'setup';
      shellChecksum: string;
      commands: string[];
      /** One entry per mapping, in mapping order; `null` where the mapping has no globs for this stage. */
      git: (StageGitPart | null)[];
    }
  | { name: DependenciesStageName; imports: Import[]; dependencies: Dependency[] }
  | { name: 'gitArchive'; git: StageGitPart[] }
  | { name: 'dockerInstructions' }
  | { name: 'imageSpec' };

const SLOT_STAGE: Record<DependencySlot, DependenciesStageName> = {
  beforeInstall: 'dependenciesBeforeInstall',
  afterInstall: 'dependenciesAfterInstall',
  beforeSetup: 'dependenciesBeforeSetup',
  afterSetup: 'dependenciesAfterSetup',
};

/** The conveyor: user stages and dependency slots interleaved as werf orders them. */
const CONVEYOR: readonly (
  | { kind: 'user'; stage: UserStageName }
  | { kind: 'slot'; slot: DependencySlot }
  | { kind: 'git' }
)[] = [
  { kind: 'user', stage: 'beforeInstall' },
  { kind: 'slot', slot: 'beforeInstall' },
  { kind: 'git' },
  { kind: 'user', stage: 'install' },
  { kind: 'slot', slot: 'afterInstall' },
  { kind: 'user', stage: 'beforeSetup' },
  { kind: 'slot', slot: 'beforeSetup' },
  { kind: 'user', stage: 'setup' },
  { kind: 'slot', slot: 'afterSetup' },
];

/**
 * Git stageDependencies only count for user stages that exist (werf v2 only
 * warns about the others). Each file of a mapping is copied in by exactly one
 * stage: the first existing stage whose globs match it, else gitArchive.
 */
type GitDependentStage = 'install' | 'beforeSetup' | 'setup';
const GIT_DEPENDENT_STAGES: readonly GitDependentStage[] = ['install', 'beforeSetup', 'setup'];

function gitParts(image: StapelImage, existing: ReadonlySet<UserStageName>) {
  const archive: StageGitPart[] = [];
  const perStage = new Map<GitDependentStage, (StageGitPart | null)[]>();
  for (const stage of GIT_DEPENDENT_STAGES) perStage.set(stage, []);
  image.git.forEach((mapping, index) => {
    const earlier: string[] = [];
    for (const stage of GIT_DEPENDENT_STAGES) {
      const globs = existing.has(stage) ? mapping.stageDependencies[stage] : [];
      perStage
        .get(stage)!
        .push(globs.length > 0 ? { mapping: index, selectPaths: [...globs], skipPaths: [...earlier] } : null);
      earlier.push(...globs);
    }
    archive.push({ mapping: index, selectPaths: [], skipPaths: [...new Set(earlier)] });
  });
  return { archive, perStage };
}

export function stageList(image: StapelImage): StageSpec[] {
  const checksums = new Map<UserStageName, string>();
  for (const stage of USER_STAGE_NAMES) checksums.set(stage, shellChecksum(image.shell, stage));
  const existing = new Set(USER_STAGE_NAMES.filter((s) => checksums.get(s) !== ''));
  const { archive, perStage } = gitParts(image, existing);

  const stages: StageSpec[] = [{ name: 'from' }];
  for (const step of CONVEYOR) {
    if (step.kind === 'user') {
      if (!existing.has(step.stage)) continue;
      const shellSum = checksums.get(step.stage)!;
      const commands = image.shell?.[step.stage] ?? [];
      if (step.stage === 'beforeInstall')
        stages.push({ name: 'beforeInstall', shellChecksum: shellSum, commands });
      else
        stages.push({ name: step.stage, shellChecksum: shellSum, commands, git: perStage.get(step.stage)! });
    } else if (step.kind === 'slot') {
      const imports = image.import.filter((i) => i.slot === step.slot);
      const dependencies = image.dependencies.filter((d) => d.slot === step.slot);
      if (imports.length > 0 || dependencies.length > 0) {
        stages.push({ name: SLOT_STAGE[step.slot], imports, dependencies });
      }
    } else if (image.git.length > 0) {
      stages.push({ name: 'gitArchive', git: archive });
    }
  }
  if (image.docker && image.gitAfterPatch) stages.push({ name: 'dockerInstructions' });
  if (image.imageSpec) stages.push({ name: 'imageSpec' });
  return stages;
}

/** werf §4.8: the named stage if the source has it, else the source's last stage. */
export function importSourceStage(
  sourceStages: readonly StageSpec[],
  wanted: UserStageName | undefined,
): StageName {
  const last = sourceStages[sourceStages.length - 1]!.name;
  if (wanted === undefined) return last;
  return sourceStages.some((s) => s.name === wanted) ? wanted : last;
}
