import { describeMemoryBackendContract } from './memory-backend.contract.js';
import { NoneMemory } from './none-memory.js';

describeMemoryBackendContract(
  'none',
  async () => {
    const memory = new NoneMemory();
    return { memory, cleanup: () => memory.close() };
  },
  { persists: false },
);
