/** Every id the API accepts (customers, households, actions, events, ...). */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export type TenantId = string;
export type CustomerId = string;

export const isValidId = (value: string): boolean => ID_PATTERN.test(value);
