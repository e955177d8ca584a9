/** `list[index]`, failing the test when it is not there (instead of a non-null assertion). */
export function at<T>(list: readonly T[], index: number): T {
  if (index < 0 || index >= list.length) {
    throw new Error(`expected an item at ${index}, the list has ${list.length}`);
  }
  return list[index] as T;
}
