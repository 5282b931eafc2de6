/** Where a campaign's items live in the tenant's table: the store and the privacy reads share them. */
export const campaignKey = (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'CAMPAIGN' });
export const memberPk = (campaignId: string, shard: number) => `CM#${campaignId}#${shard}`;
/** The gsi1 partition that lists every campaign of the tenant. */
export const CAMPAIGN_LIST_PK = 'CAMPAIGNS';
