import { installPackedPackage } from './support/packed-package.js';
const p = await installPackedPackage({ peers: ['msw'] });
console.log(p.dir);
