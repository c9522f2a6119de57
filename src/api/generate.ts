import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CRD_PATH, imageBuildCrdYaml } from './crd.js';

// `npm run generate`: writes the CRD generated from the zod schema.
mkdirSync(dirname(CRD_PATH), { recursive: true });
writeFileSync(CRD_PATH, imageBuildCrdYaml());
process.stdout.write(`wrote ${CRD_PATH}\n`);
