import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web console: `npm run build:console` writes console/dist, which the server serves at `/`.
 * `npm run dev:console` serves it with hot reload and sends /v1 to a server on port 3000
 * (FENYONG_API to change it).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
  server: { proxy: { '/v1': process.env.FENYONG_API ?? 'http://127.0.0.1:3000' } },
});
