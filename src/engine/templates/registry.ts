import { differential } from './differential.ts';
import { groupBuy } from './group-buy.ts';
import { levelPrice } from './level-price.ts';
import { multiLevel } from './multi-level.ts';
import { pool } from './pool.ts';
import { region } from './region.ts';
import { targeted } from './targeted.ts';
import { teamTier } from './team-tier.ts';
import type { Template } from './template.ts';

/** Every template fenyong knows. Adding one is a new file and one line here. */
export const TEMPLATES: Readonly<Record<string, Template>> = {
  'multi-level': multiLevel as Template,
  differential: differential as Template,
  'level-price': levelPrice as Template,
  'group-buy': groupBuy as Template,
  targeted: targeted as Template,
  region: region as Template,
  'team-tier': teamTier as Template,
  pool: pool as Template,
};
