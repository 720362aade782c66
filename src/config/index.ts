/** The configuration module: from a config file to a normalized configuration. */
export { ConfigError, ConfigFileError, formatIssue, type ConfigIssue } from './errors';
export { configFromValue, loadConfigFile, parseConfigText, MAX_CONFIG_BYTES, type LoadedConfig } from './load';
export { parseText, isJsonFile } from './parse';
export { checkSchema, toInteger, type SchemaResult } from './schema';
export { validateConfig, effectiveDriver, type ValidationResult } from './validate';
export { validateLive, hostFacts, parseCpuList, type HostFacts } from './live';
export { parseIpv4Prefix, type Ipv4Prefix } from './ipv4';
export { normalizeConfig } from './normalize';
export * from './defaults';
export * from './limits';
export type * from './types';
export type * from './generated';
export { findProjectRoot, protoPath } from './proto';
