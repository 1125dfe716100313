#!/usr/bin/env node
// Lint rule the linter cannot express: no `.only` anywhere, and every `.skip` / `.todo` carries a
// reason on the same or the previous line (a comment starting "skip:" naming what would un-skip it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && !f.includes('node_modules'));
const problems = [];
for (const file of files) {
  let lines;
  try {
    lines = readFileSync(file, 'utf8').split('\n');
  } catch {
    continue;
  }
  lines.forEach((line, i) => {
    if (/\b(it|test|describe)\.only\(/.test(line)) problems.push(`${file}:${i + 1}: focused test (.only)`);
    if (/\b(it|test|describe)\.(skip|todo)(If)?\(/.test(line)) {
      const context = `${lines[i - 1] ?? ''}\n${line}`;
      if (!/skip:\s*\S/.test(context))
        problems.push(`${file}:${i + 1}: .skip without a "skip: <reason>" comment`);
    }
  });
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
