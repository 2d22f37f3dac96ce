// The web app's build: `vite build` writes dist/ (served by the dashboard
// server with cache headers); `vite` serves it in development and proxies
// /api (REST and the WebSocket) to a dashboard server on NIGHTSHIFT_DASHBOARD_URL.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env.NIGHTSHIFT_DASHBOARD_URL ?? 'http://127.0.0.1:8090';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // The contract's row schemas (bundled with the API schemas, never used here) name Node's Buffer at load time.
  define: { Buffer: 'Uint8Array' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': { target, ws: true, changeOrigin: false } } },
});
