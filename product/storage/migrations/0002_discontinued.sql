-- Whether a product is still for sale (UpdateProduct); orders for a
-- discontinued product are refused by the order service's catalog replica.
ALTER TABLE products ADD COLUMN discontinued BOOLEAN NOT NULL DEFAULT FALSE;
