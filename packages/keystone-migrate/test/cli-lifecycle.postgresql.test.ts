import { describeCliLifecycle } from './cli-lifecycle.js';

describeCliLifecycle('postgresql');
