/**
 * U.S. federal holidays as observed (a Saturday holiday on the Friday before, a Sunday one on the Monday after),
 * from `@18f/us-federal-holidays` (docs/decisions.md, "ML features"). Pure: the rules are in the library, no
 * network, no clock.
 */
import { allForYear } from '@18f/us-federal-holidays';

/** Observed federal holiday dates `YYYY-MM-DD` of the years `fromYear`…`toYear` (inclusive), sorted, unique. */
export function federalHolidayDates(fromYear: number, toYear: number): string[] {
  const out = new Set<string>();
  for (let y = fromYear; y <= toYear; y++) {
    for (const h of allForYear(y)) out.add(h.dateString);
  }
  return [...out].sort();
}
