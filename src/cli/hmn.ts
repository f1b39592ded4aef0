// The process entry point of the `hmn` command (main.ts stays importable by tests).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
// Dawn keeps the event loop alive; leave once the command is done.
process.exit();
