/** The sample's databases: orders live in main, the product catalogue in reference. */
export enum Db {
  Main = 'main',
  Reference = 'reference',
}
