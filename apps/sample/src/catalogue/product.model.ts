/** A product of the catalogue, kept in the reference database. */
export interface Product {
  sku: string;
  name: string;
  priceCents: number;
}
