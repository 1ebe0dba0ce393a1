"""Generated protobuf and gRPC stubs of forecastle.v1 (written here when the package is built)."""
