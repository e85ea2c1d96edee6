#include "product/transport/product_grpc_service.h"

#include "common/grpc/server.h"
#include "common/grpc/status.h"

namespace shop::product::transport {

using grpc_util::CallDeadline;
using grpc_util::ToGrpcStatus;

grpc::Status ProductGrpcService::CreateProduct(grpc::ServerContext* context,
                                               const v1::CreateProductRequest* request,
                                               v1::CreateProductResponse* response) {
  auto record =
      commands_.CreateProduct(*request, grpc_util::CorrelationId(context), CallDeadline(context));
  if (!record.ok()) return ToGrpcStatus(record.status());
  *response->mutable_product() = record->product;
  *response->mutable_stock() = record->stock;
  return grpc::Status::OK;
}

grpc::Status ProductGrpcService::GetProduct(grpc::ServerContext* context,
                                            const v1::GetProductRequest* request,
                                            v1::GetProductResponse* response) {
  auto record = commands_.GetProduct(request->product_id(), CallDeadline(context));
  if (!record.ok()) return ToGrpcStatus(record.status());
  *response->mutable_product() = record->product;
  *response->mutable_stock() = record->stock;
  return grpc::Status::OK;
}

grpc::Status ProductGrpcService::ListProducts(grpc::ServerContext* context,
                                              const v1::ListProductsRequest* request,
                                              v1::ListProductsResponse* response) {
  auto page =
      commands_.ListProducts(request->page_size(), request->page_token(), CallDeadline(context));
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (auto& product : page->products) *response->add_products() = std::move(product);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status ProductGrpcService::AdjustStock(grpc::ServerContext* context,
                                             const v1::AdjustStockRequest* request,
                                             v1::AdjustStockResponse* response) {
  auto record = commands_.AdjustStock(request->product_id(), request->delta(), request->reason(),
                                      grpc_util::CorrelationId(context), CallDeadline(context));
  if (!record.ok()) return ToGrpcStatus(record.status());
  *response->mutable_stock() = record->stock;
  return grpc::Status::OK;
}

grpc::Status ProductGrpcService::UpdateProduct(grpc::ServerContext* context,
                                               const v1::UpdateProductRequest* request,
                                               v1::UpdateProductResponse* response) {
  auto record =
      commands_.UpdateProduct(*request, grpc_util::CorrelationId(context), CallDeadline(context));
  if (!record.ok()) return ToGrpcStatus(record.status());
  *response->mutable_product() = record->product;
  *response->mutable_stock() = record->stock;
  return grpc::Status::OK;
}

grpc::Status ProductGrpcService::GetStock(grpc::ServerContext* context,
                                          const v1::GetStockRequest* request,
                                          v1::GetStockResponse* response) {
  auto record = commands_.GetProduct(request->product_id(), CallDeadline(context));
  if (!record.ok()) return ToGrpcStatus(record.status());
  *response->mutable_stock() = record->stock;
  return grpc::Status::OK;
}

}  // namespace shop::product::transport
