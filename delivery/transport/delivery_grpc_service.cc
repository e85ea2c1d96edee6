#include "delivery/transport/delivery_grpc_service.h"

#include "common/grpc/server.h"
#include "common/grpc/status.h"

namespace shop::delivery::transport {

using grpc_util::CallDeadline;
using grpc_util::ToGrpcStatus;

grpc::Status DeliveryGrpcService::GetDelivery(grpc::ServerContext* context,
                                              const v1::GetDeliveryRequest* request,
                                              v1::GetDeliveryResponse* response) {
  auto delivery = commands_.GetDelivery(request->order_id(), CallDeadline(context));
  if (!delivery.ok()) return ToGrpcStatus(delivery.status());
  *response->mutable_delivery() = *std::move(delivery);
  return grpc::Status::OK;
}

grpc::Status DeliveryGrpcService::ListDeliveries(grpc::ServerContext* context,
                                                 const v1::ListDeliveriesRequest* request,
                                                 v1::ListDeliveriesResponse* response) {
  auto page = commands_.ListDeliveries(request->page_size(), request->page_token(),
                                       request->status(), CallDeadline(context));
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (auto& delivery : page->deliveries) *response->add_deliveries() = std::move(delivery);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status DeliveryGrpcService::UpdateDeliveryStatus(
    grpc::ServerContext* context, const v1::UpdateDeliveryStatusRequest* request,
    v1::UpdateDeliveryStatusResponse* response) {
  auto delivery = commands_.UpdateStatus(request->order_id(), request->status(),
                                         grpc_util::CorrelationId(context), CallDeadline(context));
  if (!delivery.ok()) return ToGrpcStatus(delivery.status());
  *response->mutable_delivery() = *std::move(delivery);
  return grpc::Status::OK;
}

}  // namespace shop::delivery::transport
