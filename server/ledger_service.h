// gRPC adapter for forecastle.v1.LedgerService: converts, calls LedgerBook, maps status.
#ifndef FORECASTLE_SERVER_LEDGER_SERVICE_H_
#define FORECASTLE_SERVER_LEDGER_SERVICE_H_

#include "forecastle/v1/ledger.grpc.pb.h"
#include "server/ledger_book.h"
#include "server/write_rate.h"

namespace forecastle {

class LedgerServiceImpl final : public v1::LedgerService::Service {
 public:
  // Writes take their records from `rate` first, when given (--max_write_records_per_s).
  explicit LedgerServiceImpl(LedgerBook* book, WriteRate* rate = nullptr) : book_(book), rate_(rate) {}

  grpc::Status PutCustomer(grpc::ServerContext* c, const v1::Customer* r, v1::WriteReply* out) override {
    return Put(*c, RecordKind::kCustomer, *r, out);
  }
  grpc::Status PutContract(grpc::ServerContext* c, const v1::Contract* r, v1::WriteReply* out) override {
    return Put(*c, RecordKind::kContract, *r, out);
  }
  grpc::Status PutLine(grpc::ServerContext* c, const v1::Line* r, v1::WriteReply* out) override {
    return Put(*c, RecordKind::kLine, *r, out);
  }
  grpc::Status PutProgress(grpc::ServerContext* c, const v1::Progress* r, v1::WriteReply* out) override {
    return Put(*c, RecordKind::kProgress, *r, out);
  }
  grpc::Status PutCancellation(grpc::ServerContext* c, const v1::Cancellation* r,
                               v1::WriteReply* out) override {
    return Put(*c, RecordKind::kCancellation, *r, out);
  }
  grpc::Status PutInvoice(grpc::ServerContext* c, const v1::Invoice* r, v1::WriteReply* out) override {
    return Put(*c, RecordKind::kInvoice, *r, out);
  }
  grpc::Status PutPayment(grpc::ServerContext* c, const v1::Payment* r, v1::WriteReply* out) override {
    return Put(*c, RecordKind::kPayment, *r, out);
  }
  grpc::Status PutOpportunity(grpc::ServerContext* c, const v1::Opportunity* r,
                              v1::WriteReply* out) override {
    return Put(*c, RecordKind::kOpportunity, *r, out);
  }
  grpc::Status PutHeadcount(grpc::ServerContext* c, const v1::Headcount* r, v1::WriteReply* out) override {
    return Put(*c, RecordKind::kHeadcount, *r, out);
  }
  // The import stream of ledger.proto: acknowledges each batch once stored, answers the end with
  // the summary, and ends with an error naming the first message it did not get.
  grpc::Status Import(grpc::ServerContext* context,
                      grpc::ServerReaderWriter<v1::ImportReply, v1::ImportRequest>* stream) override;
  grpc::Status Summary(grpc::ServerContext*, const v1::SummaryRequest*,
                       v1::SummaryReply* reply) override;
  // Voids one record (SPEC §3.5); its versions stay readable with known_at.
  grpc::Status VoidRecord(grpc::ServerContext*, const v1::VoidRequest* request, v1::VoidReply* reply) override;

 private:
  // Each write is stored with its audit entry: the caller of `context` (calls.h).
  grpc::Status Put(const grpc::ServerContext& context, RecordKind kind, const google::protobuf::Message& message,
                   v1::WriteReply* out);
  // Applies one batch at most once (LedgerBook::WriteBatch) and returns its acknowledgement.
  absl::StatusOr<v1::ImportBatchAck> ApplyBatch(const v1::ImportBatch& batch, const AuditContext& audit);

  LedgerBook* book_;
  WriteRate* rate_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_LEDGER_SERVICE_H_
