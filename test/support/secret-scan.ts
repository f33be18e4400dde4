/**
 * The test suite's secret scan: servers register the secrets they hand out (API keys, EAB
 * keys), loggers and daemon processes register their output, and an afterAll hook in every
 * test file (test/secret-scan.setup.ts) fails the file if any output contains any secret.
 * Per test file: vitest gives each file its own module instance.
 */
const secrets = new Set<string>();
const outputs: string[][] = [];

export function registerSecret(value: string): void {
  secrets.add(value);
}

export function registerOutput(lines: string[]): void {
  outputs.push(lines);
}

/** Lines that contain a registered secret (the secret itself is not repeated in the report). */
export function secretLeaks(): string[] {
  const leaks: string[] = [];
  for (const lines of outputs) {
    for (const line of lines) {
      for (const s of secrets) if (line.includes(s)) leaks.push(line.split(s).join('<SECRET>'));
    }
  }
  return leaks;
}

export function scannedLineCount(): number {
  return outputs.reduce((n, l) => n + l.length, 0);
}
