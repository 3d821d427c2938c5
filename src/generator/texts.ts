import { purchaseText } from '../model/messages.js';
import { purchaseMessage, type SaleItem, type Transaction } from './simulation.js';
import type { SalesRules } from './rules.js';

/**
 * The wire text of a transaction's purchases: exactly purchaseText(purchaseMessage(…)) (the original
 * generator's spelling of floats: `0.0`, `0.1`), made
 * without building the message object or serialising its fields one by one, since purchases are
 * nearly every message the generator makes. Each text is two shared strings joined: a batch of
 * pending purchases holds few objects, which keeps the garbage collector's copying cheap.
 *
 * A purchase's members split in two: transaction_time and transaction_id, shared by the
 * transaction's items, and the rest, which depends only on the product, the quantity and the two
 * flags (member, supplement) — at most catalog × 3 × 2 × 2 texts, each made once by
 * purchaseText and reused. A purchase is then one concatenation of the two halves; being
 * purchaseText's own output cut at a member boundary, the halves join byte for byte.
 */
export class PurchaseTexts {
  /** The text after the shared head, by tailSlot. */
  private readonly tails: string[] = [];
  /** The product version each tail was made for: a price change makes new ones. */
  private readonly versions: SaleItem['product'][] = [];

  constructor(private readonly rules: SalesRules) {}

  /**
   * `{"transaction_time":…,"transaction_id":…,` — the start of each of the transaction's purchases.
   * Both are the simulation's own text (digits, '-', ':', '.', ' '), which JSON never escapes.
   */
  head(tx: Transaction): string {
    return '{"transaction_time":"' + tx.transactionTime + '","transaction_id":"' + tx.transactionId + '",';
  }

  /** The purchase text of one item; `head` is this.head(tx). */
  purchase(head: string, tx: Transaction, item: SaleItem): string {
    const slot = tailSlot(tx, item);
    if (this.versions[slot] !== item.product) {
      this.versions[slot] = item.product;
      this.tails[slot] = this.tail(tx, item);
    }
    return head + this.tails[slot];
  }

  /** `"product_id":…}`: the message without its first two members (undefined members are left out). */
  private tail(tx: Transaction, item: SaleItem): string {
    const message = { ...purchaseMessage(tx, item, this.rules), transaction_time: undefined, transaction_id: undefined };
    return purchaseText(message).slice(1);
  }
}

/** Everything a purchase's tail depends on, as one small integer (quantity is 1–3). */
function tailSlot(tx: Transaction, item: SaleItem): number {
  return ((item.productIndex * 4 + item.quantity) * 2 + (tx.isMember ? 1 : 0)) * 2 + (item.addSupplement ? 1 : 0);
}
