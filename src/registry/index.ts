// Public surface of the registry package.
export { parseAuthChallenges } from './auth-challenge.js';
export {
  defaultPlatform,
  RegistryClient,
  type RegistryClientOptions,
  type ResolvedImage,
  sha256Digest,
} from './client.js';
export { CredentialStore, type RegistryCredential } from './credentials.js';
export { RegistryError, type RegistryErrorKind } from './errors.js';
export * from './media-types.js';
export {
  formatImageReference,
  type ImageReference,
  InvalidReferenceError,
  manifestReference,
  parseImageReference,
  withDigest,
  withTag,
} from './reference.js';
