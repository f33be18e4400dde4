/** A DNS provider entry of the printed config: its YAML lines (under `dns.providers.<id>:`) and comments. */
export interface MappedProvider {
  /** Preferred id; lineages with the same mapping share one provider. */
  id: string;
  /** `key: value` YAML lines, unindented. */
  lines: string[];
  comments: string[];
  /** Secrets taken out of certbot's credentials INI, written to files the config names (never printed). */
  secrets: { file: string; value: string }[];
}
