import { BadRequestException, Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CatalogueService } from './catalogue.service';
import type { Product } from './product.model';

/** `GET /products` and `PUT /products/:sku` (the reference database). */
@Controller('products')
export class CatalogueController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Get()
  list(): Promise<Product[]> {
    return this.catalogue.list();
  }

  @Put(':sku')
  upsert(@Param('sku') sku: string, @Body() body: { name?: unknown; priceCents?: unknown }): Promise<Product> {
    if (typeof body?.name !== 'string' || body.name.length === 0) throw new BadRequestException('name: a non-empty string');
    if (!Number.isInteger(body.priceCents) || (body.priceCents as number) < 0) {
      throw new BadRequestException('priceCents: a non-negative integer');
    }
    return this.catalogue.upsert({ sku, name: body.name, priceCents: body.priceCents as number });
  }
}
