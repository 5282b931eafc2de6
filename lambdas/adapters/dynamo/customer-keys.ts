/** The keys of a customer's items in the tenant table (the layout is described in customer-repo.ts). */
export const customerPk = (customerId: string) => `C#${customerId}`;
export const PROFILE_SK = 'P';
export const STATE_SK = 'S';
/** Contact items of before the contact ledger (legacy-contacts.ts). */
export const CONTACT_PREFIX = 'H#';
/** The index from a customer to the audit entries about it (audit-log.ts). */
export const AUDIT_REF_PREFIX = 'AU#';
