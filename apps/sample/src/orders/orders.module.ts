import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { ConfirmationTasks } from '../confirmations/confirmation.tasks';
import { ConfirmationsRepository } from '../confirmations/confirmations.repository';
import { MailGateway } from '../confirmations/mail-gateway';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

/** Orders (main database) and the tasks that confirm them. */
@Module({
  imports: [CatalogueModule],
  controllers: [OrdersController],
  providers: [OrdersService, ConfirmationsRepository, MailGateway, ConfirmationTasks],
})
export class OrdersModule {}
