// gRPC adapter for forecastle.v1.LedgerService: converts, calls LedgerBook, maps status.
#ifndef FORECASTLE_SERVER_LEDGER_SERVICE_H_
#define FORECASTLE_SERVER_LEDGER_SERVICE_H_

#include "forecastle/v1/ledger.grpc.pb.h"
#include "server/ledger_book.h"

namespace forecastle {

class LedgerServiceImpl final : public v1::LedgerService::Service {
 public:
  explicit LedgerServiceImpl(LedgerBook* book) : book_(book) {}

  grpc::Status PutCustomer(grpc::ServerContext*, const v1::Customer* r, v1::WriteReply* out) override {
    return Put(RecordKind::kCustomer, *r, out);
  }
  grpc::Status PutContract(grpc::ServerContext*, const v1::Contract* r, v1::WriteReply* out) override {
    return Put(RecordKind::kContract, *r, out);
  }
  grpc::Status PutLine(grpc::ServerContext*, const v1::Line* r, v1::WriteReply* out) override {
    return Put(RecordKind::kLine, *r, out);
  }
  grpc::Status PutProgress(grpc::ServerContext*, const v1::Progress* r, v1::WriteReply* out) override {
    return Put(RecordKind::kProgress, *r, out);
  }
  grpc::Status PutCancellation(grpc::ServerContext*, const v1::Cancellation* r,
                               v1::WriteReply* out) override {
    return Put(RecordKind::kCancellation, *r, out);
  }
  grpc::Status PutInvoice(grpc::ServerContext*, const v1::Invoice* r, v1::WriteReply* out) override {
    return Put(RecordKind::kInvoice, *r, out);
  }
  grpc::Status PutPayment(grpc::ServerContext*, const v1::Payment* r, v1::WriteReply* out) override {
    return Put(RecordKind::kPayment, *r, out);
  }
  grpc::Status PutOpportunity(grpc::ServerContext*, const v1::Opportunity* r,
                              v1::WriteReply* out) override {
    return Put(RecordKind::kOpportunity, *r, out);
  }
  grpc::Status Import(grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
                      v1::ImportReply* reply) override;
  grpc::Status Summary(grpc::ServerContext*, const v1::SummaryRequest*,
                       v1::SummaryReply* reply) override;

 private:
  grpc::Status Put(RecordKind kind, const google::protobuf::Message& message, v1::WriteReply* out);

  LedgerBook* book_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_LEDGER_SERVICE_H_
