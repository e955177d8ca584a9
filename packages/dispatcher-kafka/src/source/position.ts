/** Where a record sits: `topic/partition@offset`, the `position` of what the source delivers. */
export function positionOf(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}@${offset}`;
}
