// Public entry of the werf.yaml model: parse a rendered config, format its errors.
export { formatWerfConfigError, formatYamlPath } from './errors.js';
export type { GiterminismConfig } from './giterminism.js';
export type * from './model.js';
export { DEPENDENCY_SLOTS, USER_STAGE_NAMES } from './model.js';
export { type ParseOptions, parseWerfConfig } from './parse-config.js';
