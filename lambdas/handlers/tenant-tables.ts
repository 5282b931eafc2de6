/** Maps a tenant to its own table; a tenant without one is a wiring fault, never a fallback. */
export function tenantTableOf(tables: Record<string, string>): (tenant: string) => string {
  return (tenant) => {
    const table = tables[tenant];
    if (!table) throw new Error("no table is configured for the caller's tenant");
    return table;
  };
}
