import { afterAll, expect } from 'vitest';
import { secretLeaks } from './support/secret-scan.js';

// Runs after every test file: no log line any test produced may contain a secret a test server issued.
afterAll(() => {
  expect(secretLeaks()).toEqual([]);
});
