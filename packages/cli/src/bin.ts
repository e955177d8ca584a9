#!/usr/bin/env node
import { run } from './run.js';

const code = await run(process.argv);
// Broker clients may keep timers or sockets alive after a command is done: exit once stdout is out.
process.stdout.write('', () => process.exit(code));
