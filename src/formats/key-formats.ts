/** The key-value formats a plan's `keyfile` change may edit, by name: one dialect each. */
import type { KeyFormat } from '../core/plan.ts';
import { condarc } from './condarc.ts';
import { configparser } from './ini.ts';
import type { Dialect } from './keyfile.ts';
import { properties } from './properties.ts';
import { wgetrc } from './wgetrc.ts';
import { yarnrc } from './yarnrc.ts';

export const KEY_FORMATS: Record<KeyFormat, Dialect> = { wgetrc, configparser, yarnrc, condarc, properties };
