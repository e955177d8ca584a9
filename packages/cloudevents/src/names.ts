/** Context attributes and data members the spec defines; no extension may take these names. */
export const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
]);

const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/** Whether `name` may be used for an extension attribute: `[a-z0-9]{1,20}` and not reserved. */
export function isExtensionName(name: string): boolean {
  return EXTENSION_NAME.test(name) && !RESERVED_ATTRIBUTES.has(name);
}

/** Why `name` cannot be an extension attribute, or undefined when it can. */
export function extensionNameProblem(name: string): string | undefined {
  if (RESERVED_ATTRIBUTES.has(name)) {
    return `"${name}" is a reserved CloudEvents attribute and cannot be used as an extension name`;
  }
  if (!EXTENSION_NAME.test(name)) {
    return `extension name "${name}" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})`;
  }
  return undefined;
}
