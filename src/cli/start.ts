/** `npm start` (see mnist.ts): train, evaluate and save the MNIST digit classifier. */
import { main } from './mnist.js';

process.exitCode = await main(process.argv.slice(2));
