// The Stapel stages this planner produces, in werf v2 conveyor order
// (werf-stapel.md §3.1). `gitCache` and `gitLatestPatch` are absent: git
// content is addressed by content here (see README.md, "Deviations").

export const STAGE_ORDER = [
  'from',
  'beforeInstall',
  'dependenciesBeforeInstall',
  'gitArchive',
  'install',
  'dependenciesAfterInstall',
  'beforeSetup',
  'dependenciesBeforeSetup',
  'setup',
  'dependenciesAfterSetup',
  'dockerInstructions',
  'imageSpec',
] as const;

export type StageName = (typeof STAGE_ORDER)[number];

export type DependenciesStageName =
  | 'dependenciesBeforeInstall'
  | 'dependenciesAfterInstall'
  | 'dependenciesBeforeSetup'
  | 'dependenciesAfterSetup';

/** werf still hashes the four dependencies stages under their pre-v2 `imports*` names (§4.2). */
export function legacyStageName(name: StageName): string {
  switch (name) {
    case 'dependenciesBeforeInstall':
      return 'importsBeforeInstall';
    case 'dependenciesAfterInstall':
      return 'importsAfterInstall';
    case 'dependenciesBeforeSetup':
      return 'importsBeforeSetup';
    case 'dependenciesAfterSetup':
      return 'importsAfterSetup';
    default:
      return name;
  }
}

/** Stages whose digest hands the git state on to the next stage through nextDeps (§4.4). */
export function isGitChainStage(name: StageName): boolean {
  return name === 'gitArchive' || name === 'install' || name === 'beforeSetup' || name === 'setup';
}
