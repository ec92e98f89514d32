"""HTTP entrypoints: FastAPI routers per feature, request/response models beside them."""
