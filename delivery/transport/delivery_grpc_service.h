// The DeliveryService gRPC API over DeliveryCommands.
#ifndef SHOP_DELIVERY_TRANSPORT_DELIVERY_GRPC_SERVICE_H_
#define SHOP_DELIVERY_TRANSPORT_DELIVERY_GRPC_SERVICE_H_

#include "delivery/app/delivery_commands.h"
#include "proto/shop/delivery/v1/delivery_service.grpc.pb.h"

namespace shop::delivery::transport {

namespace v1 = shop::delivery::v1;

class DeliveryGrpcService final : public v1::DeliveryService::Service {
 public:
  explicit DeliveryGrpcService(app::DeliveryCommands& commands) : commands_(commands) {}

  grpc::Status GetDelivery(grpc::ServerContext* context, const v1::GetDeliveryRequest* request,
                           v1::GetDeliveryResponse* response) override;
  grpc::Status ListDeliveries(grpc::ServerContext* context,
                              const v1::ListDeliveriesRequest* request,
                              v1::ListDeliveriesResponse* response) override;
  grpc::Status UpdateDeliveryStatus(grpc::ServerContext* context,
                                    const v1::UpdateDeliveryStatusRequest* request,
                                    v1::UpdateDeliveryStatusResponse* response) override;

 private:
  app::DeliveryCommands& commands_;
};

}  // namespace shop::delivery::transport

#endif  // SHOP_DELIVERY_TRANSPORT_DELIVERY_GRPC_SERVICE_H_
