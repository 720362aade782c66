/** cix validate CONFIG: load and check a configuration; errors go up to main. */
import { formatIssue, loadConfigFile } from '../config';
import { UsageError } from './args';

export async function runValidate(argv: string[]): Promise<number> {
  if (argv.length !== 1) throw new UsageError('validate: exactly one CONFIG file expected');
  const cfg = await loadConfigFile(argv[0]);
  for (const w of cfg.warnings) process.stderr.write(`cix: warning: ${argv[0]}: ${formatIssue(w)}\n`);
  process.stdout.write(
    `${argv[0]}: valid (${cfg.ports.length} ports, ${cfg.attachments.length} attachments, ${cfg.services.length} services)\n`,
  );
  return 0;
}
