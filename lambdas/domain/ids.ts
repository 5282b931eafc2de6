/**
 * Every id the API accepts (customers, households, actions, events, ...). Not dots only: `.` and
 * `..` are path segments that URLs, gateways and file names resolve away, so such an id could be
 * stored but never read, exported or erased again.
 */
export const ID_PATTERN = /^(?!\.+$)[A-Za-z0-9._:-]{1,64}$/;
/** ID_PATTERN as the API documents it (OpenAPI, problem messages, README). */
export const ID_RULE = ID_PATTERN.source;

export type TenantId = string;
export type CustomerId = string;

export const isValidId = (value: string): boolean => ID_PATTERN.test(value);
