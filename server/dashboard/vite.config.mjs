// Vite builds the dashboard (index.html) and the GraphQL explorer (graphql.html) into dist/dashboard.
// Run by scripts/buildDashboard.ts; everything comes from node_modules, so the build needs no network.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  clearScreen: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: path.resolve(here, '../../dist/dashboard'),
    emptyOutDir: true,
    sourcemap: false,
    // The explorer's editor is large; it is its own page, loaded only at /graphql.
    chunkSizeWarningLimit: 3000,
    rollupOptions: {
      input: { dashboard: path.join(here, 'index.html'), explorer: path.join(here, 'graphql.html') },
      // GraphiQL's dependencies mark modules "use client" for React Server Components, which a browser bundle ignores.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
