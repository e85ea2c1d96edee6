#include "order/transport/order_grpc_service.h"

#include "absl/time/clock.h"
#include "common/grpc/server.h"
#include "common/grpc/status.h"

namespace shop::order::transport {
namespace {

using grpc_util::CallDeadline;

}  // namespace

grpc::Status OrderGrpcService::PlaceOrder(grpc::ServerContext* context,
                                          const shop::order::v1::PlaceOrderRequest* request,
                                          shop::order::v1::PlaceOrderResponse* response) {
  auto order =
      commands_.PlaceOrder(*request, grpc_util::CorrelationId(context), CallDeadline(context));
  if (!order.ok()) return grpc_util::ToGrpcStatus(order.status());
  *response->mutable_order() = *std::move(order);
  return grpc::Status::OK;
}

grpc::Status OrderGrpcService::GetOrder(grpc::ServerContext* context,
                                        const shop::order::v1::GetOrderRequest* request,
                                        shop::order::v1::GetOrderResponse* response) {
  auto order = request->order_id().empty() && !request->idempotency_key().empty()
                   ? commands_.GetOrderByIdempotencyKey(
                         request->customer_id(), request->idempotency_key(), CallDeadline(context))
                   : commands_.GetOrder(request->order_id(), CallDeadline(context));
  if (!order.ok()) return grpc_util::ToGrpcStatus(order.status());
  *response->mutable_order() = *std::move(order);
  return grpc::Status::OK;
}

grpc::Status OrderGrpcService::ListOrders(grpc::ServerContext* context,
                                          const shop::order::v1::ListOrdersRequest* request,
                                          shop::order::v1::ListOrdersResponse* response) {
  auto page = commands_.ListOrders(request->customer_id(), request->page_size(),
                                   request->page_token(), CallDeadline(context));
  if (!page.ok()) return grpc_util::ToGrpcStatus(page.status());
  for (auto& order : page->orders) *response->add_orders() = std::move(order);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status OrderGrpcService::CancelOrder(grpc::ServerContext* context,
                                           const shop::order::v1::CancelOrderRequest* request,
                                           shop::order::v1::CancelOrderResponse* response) {
  auto order = commands_.CancelOrder(request->order_id(), request->reason(),
                                     grpc_util::CorrelationId(context), CallDeadline(context));
  if (!order.ok()) return grpc_util::ToGrpcStatus(order.status());
  *response->mutable_order() = *std::move(order);
  return grpc::Status::OK;
}

}  // namespace shop::order::transport
