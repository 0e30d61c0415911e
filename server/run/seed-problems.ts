// What a Run and an export say about a seed that cannot apply to the program at all.

/** A seed for a map the program does not have: most often left over from another program. */
export function seedForMissingMap(map: string): string {
  return `The seed for map ${map} names no map of this program; remove it in Seeds.`;
}
