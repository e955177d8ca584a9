import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The relay fault tests each start brokers and kill processes: one file at a time, so two of them
// do not share two cores and run past their time bounds.
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false } }));
