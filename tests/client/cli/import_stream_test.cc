// The client's accounting of an import (client/cli/import_stream.h) against a fake server that
// answers wrongly: an import is reported done only when every record sent is accounted for.
#include "client/cli/import_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace forecastle::cli {
namespace {

using ::testing::HasSubstr;

// Acknowledges every batch as received, except where told to answer otherwise.
class FakeLedger final : public v1::LedgerService::Service {
 public:
  enum class Lie { kNone, kOneRecordShort, kSkipLastAck, kNoSummary, kRefuseMessage2 };
  explicit FakeLedger(Lie lie) : lie_(lie) {}

  grpc::Status Import(grpc::ServerContext*,
                      grpc::ServerReaderWriter<v1::ImportReply, v1::ImportRequest>* stream) override {
    v1::ImportRequest request;
    v1::ImportReply summary;
    for (int64_t message = 1; stream->Read(&request); ++message) {
      if (request.has_end()) {
        if (lie_ != Lie::kNoSummary) stream->Write(summary);
        continue;
      }
      if (lie_ == Lie::kRefuseMessage2 && message == 2) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "import stream: message 2: not received");
      }
      v1::ImportReply reply;
      v1::ImportBatchAck& ack = *reply.mutable_batch();
      ack.set_batch_id(request.batch().batch_id());
      ack.set_message(message);
      ack.set_received(request.batch().records_size() - (lie_ == Lie::kOneRecordShort && message == 2));
      ack.set_created(ack.received() - 1);
      v1::RecordError& error = *ack.add_errors();
      error.set_index(0);
      error.set_field("amount");
      v1::ImportSummary& s = *summary.mutable_summary();
      s.set_batches(s.batches() + 1);
      s.set_received(s.received() + ack.received());
      s.set_created(s.created() + ack.created());
      s.set_refused(s.refused() + 1);
      if (lie_ == Lie::kSkipLastAck && message == 3) continue;
      stream->Write(reply);
    }
    return grpc::Status::OK;
  }

 private:
  Lie lie_;
};

ImportAccount ImportThreeBatches(FakeLedger::Lie lie) {
  FakeLedger service(lie);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  auto stub = v1::LedgerService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  int acknowledged = 0;
  ImportStream stream(*stub, context, {"run", [&](const v1::ImportBatchAck&) { ++acknowledged; }});
  for (int b = 0; b < 3; ++b) {
    v1::ImportBatch batch;
    for (int i = 0; i < 4; ++i) batch.add_records()->mutable_customer()->set_customer_id("C");
    if (!stream.Send(std::move(batch))) break;
  }
  ImportAccount account = stream.Finish();
  EXPECT_EQ(acknowledged, account.batches_acknowledged);
  server->Shutdown();
  return account;
}

TEST(ImportStream, AnImportAcknowledgedAsSentIsDone) {
  const ImportAccount account = ImportThreeBatches(FakeLedger::Lie::kNone);
  EXPECT_TRUE(account.status.ok()) << account.status.error_message();
  EXPECT_EQ(account.batches_acknowledged, 3);
  EXPECT_EQ(account.records_acknowledged, 12);
  EXPECT_EQ(account.created, 9);
  ASSERT_EQ(account.refused.size(), 3u);
  EXPECT_EQ(account.refused[2].index(), 8);  // batch 3's first record, among all records sent
}

TEST(ImportStream, AnAcknowledgementThatDiffersFromWhatWasSentIsDataLoss) {
  const ImportAccount account = ImportThreeBatches(FakeLedger::Lie::kOneRecordShort);
  EXPECT_EQ(account.status.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(account.status.error_message(), HasSubstr("batch 2 (run-2): 4 records sent, 3 acknowledged"));
}

TEST(ImportStream, AMissingAcknowledgementIsDataLossEvenWhenTheStreamEndsOk) {
  const ImportAccount account = ImportThreeBatches(FakeLedger::Lie::kSkipLastAck);
  EXPECT_EQ(account.status.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(account.status.error_message(), HasSubstr("3 batches sent, 2 acknowledged"));
  EXPECT_EQ(account.batches_acknowledged, 2);
}

TEST(ImportStream, AMissingSummaryIsDataLoss) {
  const ImportAccount account = ImportThreeBatches(FakeLedger::Lie::kNoSummary);
  EXPECT_EQ(account.status.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(account.status.error_message(), HasSubstr("without the server's summary"));
}

TEST(ImportStream, AStreamErrorKeepsItsCodeAndWhatWasAcknowledgedBeforeIt) {
  const ImportAccount account = ImportThreeBatches(FakeLedger::Lie::kRefuseMessage2);
  EXPECT_EQ(account.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(account.status.error_message(), HasSubstr("message 2"));
  EXPECT_EQ(account.batches_acknowledged, 1);
  EXPECT_EQ(account.records_acknowledged, 4);
}

}  // namespace
}  // namespace forecastle::cli
