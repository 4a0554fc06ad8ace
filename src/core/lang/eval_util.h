// Small helpers shared by the evaluator's files (eval.cpp, eval_assign.cpp).
#pragma once

#include "core/api/pure.h"

#include <string>

#include "core/api/error.h"
#include "core/model/thing.h"

namespace tdb {

// A thing as error messages name it: `#42`.
inline std::string thing_label(const Thing* t) {
    return fmt("`#%llu`", static_cast<unsigned long long>(t->id));
}

}  // namespace tdb
