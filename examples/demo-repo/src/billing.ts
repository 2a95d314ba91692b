/** Invoice arithmetic in integer cents: line totals, discount and tax, each amount rounded once. */

export interface LineItem {
  sku: string;
  description: string;
  unitPriceCents: number;
  quantity: number;
}

export interface Invoice {
  customerId: string;
  currency: "EUR" | "USD" | "GBP";
  items: LineItem[];
  /** Percentage discount on the subtotal, 0–100. */
  discountPercent: number;
  /** Tax rate as a fraction, e.g. 0.2 for 20 %. */
  taxRate: number;
}

export interface InvoiceTotals {
  subtotalCents: number;
  discountCents: number;
  taxCents: number;
  totalCents: number;
}

/** Sum of quantity × unit price over all items. */
export function subtotal(items: LineItem[]): number {
  let cents = 0;
  for (const item of items) {
    if (!Number.isInteger(item.quantity) || item.quantity < 0) {
      throw new RangeError(`item ${item.sku}: quantity must be a non-negative integer, got ${item.quantity}`);
    }
    cents += item.unitPriceCents * item.quantity;
  }
  return cents;
}

/** Totals of an invoice: the discount applies before tax; each amount is rounded half up once. */
export function computeTotals(invoice: Invoice): InvoiceTotals {
  if (invoice.discountPercent < 0 || invoice.discountPercent > 100) {
    throw new RangeError(`discountPercent must be within 0..100, got ${invoice.discountPercent}`);
  }
  if (invoice.taxRate < 0) {
    throw new RangeError(`taxRate must not be negative, got ${invoice.taxRate}`);
  }
  const subtotalCents = subtotal(invoice.items);
  const discountCents = Math.round((subtotalCents * invoice.discountPercent) / 100);
  const taxCents = Math.round((subtotalCents - discountCents) * invoice.taxRate);
  return { subtotalCents, discountCents, taxCents, totalCents: subtotalCents - discountCents + taxCents };
}

/** Format cents for display: 123456 with "EUR" gives "1,234.56 EUR". */
export function formatAmount(cents: number, currency: Invoice["currency"]): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  const fraction = String(abs % 100).padStart(2, "0");
  return `${sign}${whole}.${fraction} ${currency}`;
}
