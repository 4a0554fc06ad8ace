// The settings (thingsdb.*) that module.cpp defines and other files read.
#pragma once

namespace tdb::pg {

// The boot value of thingsdb.scope.
inline constexpr const char* kDefaultScope = "@:stuff";

// thingsdb.scope: the scope of a call whose scope argument is NULL.
const char* scope_setting();

}  // namespace tdb::pg
