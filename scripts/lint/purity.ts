import { checkTree } from './purity-rules.ts';

const violations = checkTree(process.cwd());
for (const v of violations) console.error(`${v.file}:${v.line}  ${v.rule}`);
if (violations.length) process.exit(1);
console.log('domain purity: ok');
