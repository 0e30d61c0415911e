import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typescript: {
    // The build checks the browser's code only (app/ and the protocol it imports); the server,
    // native/ and e2e/ are checked by `npm run typecheck` with the root tsconfig.
    tsconfigPath: 'app/tsconfig.json',
  },
};

export default config;
