import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/**
 * The console's build: `dist/index.html` and hashed files under `dist/assets/`, all addressed under
 * `/console/`, where the response coordinator serves them. Why nothing is inlined: the coordinator's
 * Content-Security-Policy allows scripts, styles and images from 'self' only, so a data: URI or an
 * inline `<script>`/`<style>` would be refused by the browser.
 */
export default defineConfig({
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    target: 'es2022',
  },
});
