// `npm run web` (dev server on 127.0.0.1) and `npm run build:web` (static bundle in dist/web).
// The app imports the engine, shaders and toolkit from the repo above src/web, so the server may read it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: here,
  // Relative asset URLs: the bundle works from any folder or static host.
  base: './',
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: `${repo}dist/web`,
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { index: `${here}index.html`, bench: `${here}bench.html` } },
  },
});
