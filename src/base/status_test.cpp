#include "base/status.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

Result<int> parse_positive(int x) {
  if (x <= 0) return Status::invalid_argument("must be positive, got " + std::to_string(x));
  return x;
}

Status chain(int x) {
  SB_RETURN_IF_ERROR(parse_positive(x).status());
  return {};
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status().ok());
  Status s = Status::not_found("agent 7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.to_string(), "NotFound: agent 7");
}

TEST(StatusTest, ResultCarriesValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "must be positive, got -1");
  EXPECT_TRUE(chain(1).ok());
  EXPECT_EQ(chain(0).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sb
