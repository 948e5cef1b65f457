#!/usr/bin/env node
// The bin: parse argv with the commander program.
import { createProgram } from './program.js';

await createProgram().parseAsync(process.argv);
