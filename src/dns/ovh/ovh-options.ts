import type { FetchLike } from '../../http/pool-fetch.js';

export interface OvhOptions {
  id: string;
  /** The endpoint's base (`https://eu.api.ovh.com/1.0`); the config maps an endpoint name to it. */
  apiUrl: string;
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  fetch?: FetchLike;
  /** The clock, in ms (tests). */
  now?: () => number;
}
