import type { FetchLike } from '../../http/pool-fetch.js';

/** What create-provider hands the Route 53 provider (from a `type: route53` entry). */
export interface Route53Options {
  id: string;
  /** Static keys; without them the default sources are asked (env, shared credentials file, web identity). */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** The profile of the shared credentials file (else AWS_PROFILE, else `default`). */
  profile?: string;
  /** Private hosted zones (VPC) instead of public ones: a name can have one of each. */
  privateZone?: boolean;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  /** STS for web identity (default: regional when AWS_REGION is set, else global). */
  stsUrl?: string;
  /** The environment the default sources read (default: process.env). */
  env?: Record<string, string | undefined>;
  /** The home directory of `~/.aws/credentials` (default: os.homedir()). */
  home?: string;
  fetch?: FetchLike;
}
