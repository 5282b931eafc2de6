import { isValidId } from '../ids.ts';
import type { Contract } from '../customer.ts';
import type { DatasetSchema, ProfileWithId, RowMapping } from './dataset-schema.ts';

/** IBM "Telco Customer Churn" (21 columns). */
export const IBM_COLUMNS = [
  'customerID',
  'gender',
  'SeniorCitizen',
  'Partner',
  'Dependents',
  'tenure',
  'PhoneService',
  'MultipleLines',
  'InternetService',
  'OnlineSecurity',
  'OnlineBackup',
  'DeviceProtection',
  'TechSupport',
  'StreamingTV',
  'StreamingMovies',
  'Contract',
  'PaperlessBilling',
  'PaymentMethod',
  'MonthlyCharges',
  'TotalCharges',
  'Churn',
] as const;

const CONTRACTS: Record<string, Contract> = {
  'Month-to-month': 'month-to-month',
  'One year': 'one-year',
  'Two year': 'two-year',
};

/** Add-on columns -> product codes (the cross-sell models predict these). */
export const IBM_ADD_ONS: Record<string, string> = {
  MultipleLines: 'multiple-lines',
  OnlineSecurity: 'online-security',
  OnlineBackup: 'online-backup',
  DeviceProtection: 'device-protection',
  TechSupport: 'tech-support',
  StreamingTV: 'streaming-tv',
  StreamingMovies: 'streaming-movies',
};

const YES_NO = new Set(['Yes', 'No']);

export const ibmTelco: DatasetSchema = {
  name: 'ibm-telco',
  columns: IBM_COLUMNS,
  rowId: (row) => row['customerID'] ?? '',
  toProfile(row): RowMapping {
    const reasons: string[] = [];
    const customerId = (row['customerID'] ?? '').trim();
    if (!isValidId(customerId)) reasons.push(`customerID: '${customerId.slice(0, 70)}' is not a valid id`);
    const tenure = Number(row['tenure']);
    if (row['tenure'] === undefined || row['tenure'].trim() === '' || !Number.isInteger(tenure) || tenure < 0) {
      reasons.push('tenure: not a whole number of months');
    }
    const monthly = Number(row['MonthlyCharges']);
    if (!row['MonthlyCharges']?.trim() || !Number.isFinite(monthly) || monthly < 0)
      reasons.push('MonthlyCharges: not an amount');
    // A blank TotalCharges means no bill yet (tenure 0).
    const totalRaw = (row['TotalCharges'] ?? '').trim();
    const total = totalRaw === '' ? 0 : Number(totalRaw);
    if (!Number.isFinite(total)) reasons.push('TotalCharges: not an amount');
    const contract = CONTRACTS[row['Contract'] ?? ''];
    if (!contract) reasons.push(`Contract: unknown value '${(row['Contract'] ?? '').slice(0, 30)}'`);
    const internet = row['InternetService'];
    if (internet !== 'DSL' && internet !== 'Fiber optic' && internet !== 'No')
      reasons.push('InternetService: unknown value');
    for (const col of ['Partner', 'Dependents', 'PhoneService', 'PaperlessBilling']) {
      if (!YES_NO.has(row[col] ?? '')) reasons.push(`${col}: expected Yes or No`);
    }
    if (row['SeniorCitizen'] !== '0' && row['SeniorCitizen'] !== '1') reasons.push('SeniorCitizen: expected 0 or 1');
    if (reasons.length) return { ok: false, reasons };

    const products: string[] = [];
    if (row['PhoneService'] === 'Yes') products.push('phone');
    if (internet === 'DSL') products.push('internet-dsl');
    if (internet === 'Fiber optic') products.push('internet-fiber');
    for (const [col, code] of Object.entries(IBM_ADD_ONS)) if (row[col] === 'Yes') products.push(code);

    const family = row['Partner'] === 'Yes' || row['Dependents'] === 'Yes';
    const profile: ProfileWithId = {
      customerId,
      segment: row['SeniorCitizen'] === '1' ? 'senior' : family ? 'family' : 'single',
      tariff: internet === 'Fiber optic' ? 'fiber' : internet === 'DSL' ? 'dsl' : 'voice',
      tenureMonths: tenure,
      monthlyCharge: monthly,
      contract: contract!,
      products,
      // The dataset records no marketing consent: none is assumed (the importer can grant some).
      attributes: {
        gender: row['gender'] ?? null,
        seniorCitizen: row['SeniorCitizen'] === '1',
        partner: row['Partner'] === 'Yes',
        dependents: row['Dependents'] === 'Yes',
        paperlessBilling: row['PaperlessBilling'] === 'Yes',
        paymentMethod: row['PaymentMethod'] ?? null,
        totalCharges: total,
      },
    };
    const churn = row['Churn'];
    return churn === 'Yes' || churn === 'No'
      ? { ok: true, profile, label: { churned: churn === 'Yes' } }
      : { ok: true, profile };
  },
};
