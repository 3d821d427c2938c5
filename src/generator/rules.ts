/** The [SALES] and [INVENTORY] rules of configuration.ini (DESIGN §3), with the original's defaults. */
export interface SalesRules {
  minSaleFreq: number;
  maxSaleFreq: number;
  transactionQuantityOneItemFreq: number;
  itemQuantityOneFreq: number;
  memberFreq: number;
  clubMemberDiscount: number;
  addSuppFreqGroup1: number;
  addSuppFreqGroup2: number;
  supplementsCost: number;
  minInventory: number;
  restockAmount: number;
}

export const DEFAULT_RULES: SalesRules = {
  minSaleFreq: 2,
  maxSaleFreq: 5,
  transactionQuantityOneItemFreq: 13,
  itemQuantityOneFreq: 24,
  memberFreq: 3,
  clubMemberDiscount: 0.1,
  addSuppFreqGroup1: 5,
  addSuppFreqGroup2: 2,
  supplementsCost: 1.99,
  minInventory: 10,
  restockAmount: 15,
};
