// The simulated builds, oldest first. Each file is one release: its base
// and what changed. Releases the catalog skips (2.5, 2.7 ...) fold their
// changes into the next simulated build, saying where they landed.
import type { BuildDelta } from '../change.js';
import { build_1_7 } from './v1.7.js';
import { build_2_0 } from './v2.0.js';
import { build_2_1 } from './v2.1.js';
import { build_2_2 } from './v2.2.js';
import { build_2_3 } from './v2.3.js';
import { build_2_4 } from './v2.4.js';
import { build_2_6 } from './v2.6.js';
import { build_2_9 } from './v2.9.js';
import { build_2_12 } from './v2.12.js';
import { build_3_0 } from './v3.0.js';
import { build_3_1 } from './v3.1.js';
import { build_4_0 } from './v4.0.js';
import { build_4_1 } from './v4.1.js';
import { build_4_2 } from './v4.2.js';
import { build_5_2 } from './v5.2.js';
import { build_6_0 } from './v6.0.js';
import { build_6_2 } from './v6.2.js';
import { build_7_2 } from './v7.2.js';
import { build_8_0 } from './v8.0.js';
import { build_8_0_1 } from './v8.0.1.js';
import { build_8_1 } from './v8.1.js';
import { build_8_2 } from './v8.2.js';
import { build_9_2 } from './v9.2.js';
import { build_10_0 } from './v10.0.js';

export const CATALOG: readonly BuildDelta[] = [
  build_1_7, build_2_0, build_2_1, build_2_2, build_2_3, build_2_4, build_2_6, build_2_9, build_2_12, build_3_0,
  build_3_1, build_4_0, build_4_1, build_4_2, build_5_2, build_6_0, build_6_2, build_7_2, build_8_0, build_8_0_1, build_8_1, build_8_2,
  build_9_2, build_10_0,
];
