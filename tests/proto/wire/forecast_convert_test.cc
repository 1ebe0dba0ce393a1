// The scenario's field table (engine/forecast/scenario_fields.h) and forecast.proto agree: every
// row has its proto field and every proto field of a scenario has a row, so a field added to
// one and not the other fails here rather than being dropped on the wire.
#include <set>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include "proto/wire/forecast_convert.h"

namespace forecastle {
namespace {

template <typename V>
inline constexpr bool kIsRecordList = false;
template <forecast::TableRecord U>
inline constexpr bool kIsRecordList<std::vector<U>> = true;

template <forecast::TableRecord R>
void ExpectSameFields(const google::protobuf::Descriptor* message, const std::set<std::string>& identity = {}) {
  SCOPED_TRACE(message->full_name());
  std::set<std::string> rows;
  for (const forecast::Field<R>& field : forecast::Fields<R>::kAll) {
    const std::string name(field.name);
    rows.insert(name);
    const google::protobuf::FieldDescriptor* proto = message->FindFieldByName(name);
    ASSERT_NE(proto, nullptr) << name << " has a row but no proto field";
    std::visit(
        [&](auto member) {
          using V = std::remove_cvref_t<decltype(std::declval<R&>().*member)>;
          if constexpr (forecast::TableRecord<V>) {
            EXPECT_FALSE(proto->is_repeated()) << name;
            ExpectSameFields<V>(proto->message_type());
          } else if constexpr (kIsRecordList<V>) {
            EXPECT_TRUE(proto->is_repeated()) << name;
            ExpectSameFields<typename V::value_type>(proto->message_type());
          }
        },
        field.member);
  }
  for (int i = 0; i < message->field_count(); ++i) {
    const std::string name = message->field(i)->name();
    EXPECT_TRUE(rows.contains(name) || identity.contains(name)) << name << " has a proto field but no row";
  }
}

TEST(ScenarioFieldTable, EveryRowHasItsProtoFieldAndEveryProtoFieldARow) {
  ExpectSameFields<forecast::Scenario>(v1::Scenario::descriptor(), {"name", "base", "description"});
}

TEST(ScenarioFieldTable, AVariantRoundTripsThroughItsPartialForm) {
  v1::Scenario variant;
  variant.set_name("hire10");
  variant.set_base("plan");
  variant.mutable_payment()->set_bad_debt_rate(0.02);
  v1::Team* team = variant.add_teams();
  team->set_name("delivery");
  team->set_fte(55);
  variant.add_products()->set_name("services");  // kind unset: the base's
  auto partial = PartialScenarioFromProto(variant);
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_TRUE(forecast::IsSet(*partial, "payment.bad_debt_rate"));
  EXPECT_FALSE(forecast::IsSet(*partial, "payment.delay_days_mix"));
  EXPECT_EQ(PartialScenarioToProto(*partial).SerializeAsString(), variant.SerializeAsString());
}

}  // namespace
}  // namespace forecastle
