// Exits 0 when Dawn finds a WebGPU adapter on this machine, 1 otherwise (used by setup.sh).
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter().catch(() => null);
if (process.argv.includes('--print') && adapter) console.log(adapter.info?.description || adapter.info?.device || 'adapter');
process.exit(adapter ? 0 : 1);
