#pragma once
// The JSON of a shift template's break rules, one form for both the templates stored in wfm.db
// (rules_store.cpp) and the API's templates (docs/api.md, "breaks").

#include <nlohmann/json.hpp>
#include <vector>

#include "wfm/schedule.h"

namespace sb::wfmstore {

// [{"name", "length_min", "earliest_after_min", "latest_after_min", "paid"}, ...]
nlohmann::json breaks_to_json(const std::vector<wfm::BreakRule>& breaks);

}  // namespace sb::wfmstore
