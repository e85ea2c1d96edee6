// The OrderService gRPC API over OrderCommands: deadlines, correlation ids
// and status conversion; no logic of its own.
#ifndef SHOP_ORDER_TRANSPORT_ORDER_GRPC_SERVICE_H_
#define SHOP_ORDER_TRANSPORT_ORDER_GRPC_SERVICE_H_

#include "order/app/order_commands.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"

namespace shop::order::transport {

class OrderGrpcService final : public shop::order::v1::OrderService::Service {
 public:
  explicit OrderGrpcService(app::OrderCommands& commands) : commands_(commands) {}

  grpc::Status PlaceOrder(grpc::ServerContext* context,
                          const shop::order::v1::PlaceOrderRequest* request,
                          shop::order::v1::PlaceOrderResponse* response) override;
  grpc::Status GetOrder(grpc::ServerContext* context,
                        const shop::order::v1::GetOrderRequest* request,
                        shop::order::v1::GetOrderResponse* response) override;
  grpc::Status ListOrders(grpc::ServerContext* context,
                          const shop::order::v1::ListOrdersRequest* request,
                          shop::order::v1::ListOrdersResponse* response) override;
  grpc::Status CancelOrder(grpc::ServerContext* context,
                           const shop::order::v1::CancelOrderRequest* request,
                           shop::order::v1::CancelOrderResponse* response) override;

 private:
  app::OrderCommands& commands_;
};

}  // namespace shop::order::transport

#endif  // SHOP_ORDER_TRANSPORT_ORDER_GRPC_SERVICE_H_
