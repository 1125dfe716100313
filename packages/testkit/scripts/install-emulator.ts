/**
 * Creates the moto virtualenv if it is missing (CI and first-time set-up call this, so the first test
 * run does not pay for it inside a test timeout). Prints where it is.
 */
import { ensureMotoVenv, MOTO_VERSION, motoVenvDir } from '../src/index.js';

const venvDir = motoVenvDir(process.env);
const python = await ensureMotoVenv({
  venvDir,
  basePython: process.env.IR_PYTHON ?? 'python3',
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`moto ${MOTO_VERSION} ready: ${python}\n`);
