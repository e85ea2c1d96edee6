// The ProductService gRPC API over ProductCommands.
#ifndef SHOP_PRODUCT_TRANSPORT_PRODUCT_GRPC_SERVICE_H_
#define SHOP_PRODUCT_TRANSPORT_PRODUCT_GRPC_SERVICE_H_

#include "product/app/product_commands.h"
#include "proto/shop/product/v1/product_service.grpc.pb.h"

namespace shop::product::transport {

namespace v1 = shop::product::v1;

class ProductGrpcService final : public v1::ProductService::Service {
 public:
  explicit ProductGrpcService(app::ProductCommands& commands) : commands_(commands) {}

  grpc::Status CreateProduct(grpc::ServerContext* context, const v1::CreateProductRequest* request,
                             v1::CreateProductResponse* response) override;
  grpc::Status GetProduct(grpc::ServerContext* context, const v1::GetProductRequest* request,
                          v1::GetProductResponse* response) override;
  grpc::Status ListProducts(grpc::ServerContext* context, const v1::ListProductsRequest* request,
                            v1::ListProductsResponse* response) override;
  grpc::Status AdjustStock(grpc::ServerContext* context, const v1::AdjustStockRequest* request,
                           v1::AdjustStockResponse* response) override;
  grpc::Status UpdateProduct(grpc::ServerContext* context, const v1::UpdateProductRequest* request,
                             v1::UpdateProductResponse* response) override;
  grpc::Status GetStock(grpc::ServerContext* context, const v1::GetStockRequest* request,
                        v1::GetStockResponse* response) override;

 private:
  app::ProductCommands& commands_;
};

}  // namespace shop::product::transport

#endif  // SHOP_PRODUCT_TRANSPORT_PRODUCT_GRPC_SERVICE_H_
