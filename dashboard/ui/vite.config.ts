/**
 * Vite build of the React dashboard: `npm run build:ui` writes dist/ui at the repo root, which
 * dashboard/server.ts serves next to /api. Paths resolve from this file so the build works from any cwd.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const uiRoot = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/ui', import.meta.url));

// Vite only reads a default export from its config file: the one exception to named exports.
export default defineConfig({
  root: uiRoot,
  base: '/',
  plugins: [react()],
  // A local dev server (`npx vite --config dashboard/ui/vite.config.ts`) talks to a running API on :8080.
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // React changes rarely and recharts is only needed on the Trends page: separate chunks cache well.
        codeSplitting: {
          groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }],
        },
      },
    },
  },
});
